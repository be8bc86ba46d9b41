// bin/runtime.mjs, the one build of the runtime artifacts ship: one .js and one .d.ts per
// module, imports unchanged, the same bytes every time; a module whose .d.ts cannot be
// made is reported, not fatal, and the artifact writer refuses to ship its folder.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRuntime } from '../../bin/runtime.mjs';
import { ROOT } from './kiln.js';

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

describe('the runtime build', () => {
  it("builds runtime/ module by module, relative imports as written, the same bytes twice", () => {
    const a = buildRuntime(join(ROOT, 'runtime')), b = buildRuntime(join(ROOT, 'runtime'));
    expect(a.problems).toEqual([]);
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [name, bytes] of a.files) expect(Buffer.from(bytes).equals(Buffer.from(b.files.get(name)!)), name).toBe(true);
    expect([...a.files.keys()]).toEqual(expect.arrayContaining(['core/manifest.js', 'core/manifest.d.ts', 'wasm/index.js', 'wasm/index.d.ts', 'webgpu/manifest.d.ts']));
    expect(text(a.files.get('wasm/index.js'))).toContain('from "../core/dtype.js"');
    expect(text(a.files.get('wasm/index.d.ts'))).toContain('loadModel(');
  });

  it('leaves a module whose exports lack written types without a .d.ts, and says why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-runtime-build-'));
    mkdirSync(join(dir, 'gpu'));
    writeFileSync(join(dir, 'gpu', 'index.ts'), 'export function twice(a: number) { return a * 2; }\n');
    writeFileSync(join(dir, 'gpu', 'index.test.ts'), 'throw new Error("tests do not ship");\n');
    const { files, problems } = buildRuntime(dir);
    expect([...files.keys()]).toEqual(['gpu/index.js']);
    expect(problems.map((p) => p.file)).toEqual(['gpu/index.ts']);
    expect(problems[0].message).toMatch(/no declarations without a type checker/);
  });
});
