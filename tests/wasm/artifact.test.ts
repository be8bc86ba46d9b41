// `kiln compile`'s folder: the same bytes every time, and it runs with plain Node from
// wherever it is copied, without kiln, matching the interpreter.
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildArtifact } from '../../compiler/artifact/index.js';
import { loadModule } from '../../compiler/load.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import type { ArrayLiteral } from '../../ir/literal.js';

const MLP = join(import.meta.dirname, '..', '..', 'examples', 'mlp.hlo');

describe('kiln compile artifacts', () => {
  it('are the same bytes every time', () => {
    const m = loadModule(MLP);
    const a = buildArtifact(m), b = buildArtifact(loadModule(MLP));
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [name, bytes] of a.files) expect(Buffer.from(bytes).equals(Buffer.from(b.files.get(name)!)), name).toBe(true);
    expect(a.codeBytes).toBeLessThan(64 * 1024);
  });

  it('run from a folder of their own with plain node and match the interpreter, inputs reused at once', () => {
    const m = loadModule(MLP);
    const art = buildArtifact(m);
    const dir = mkdtempSync(join(tmpdir(), 'kiln-artifact-'));
    for (const [name, bytes] of art.files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const inputs = randomInputs(m.entry.params.map((p) => p.shape), 3) as ArrayLiteral[];
    const feeds = Object.fromEntries(m.entry.params.map((p, i) => [p.name, Array.from(inputs[i].data as Float64Array)]));
    writeFileSync(join(dir, 'inputs.json'), JSON.stringify(feeds));
    const script = `
      import { readFileSync } from 'node:fs';
      import { load } from './model.js';
      const model = await load(readFileSync('./model.wasm'));
      const feeds = JSON.parse(readFileSync('./inputs.json', 'utf8'));
      const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, Float32Array.from(v)]));
      const pending = model.run(inputs);
      // The wrapper takes the inputs before run() returns: reusing them at once is safe.
      for (const v of Object.values(inputs)) v.fill(NaN);
      const out = await pending;
      model.dispose();
      console.log(JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v)]))));`;
    writeFileSync(join(dir, 'run.mjs'), script);
    const r = spawnSync(process.execPath, ['run.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = Object.values(JSON.parse(r.stdout) as Record<string, number[]>)[0];
    const want = Array.from((interpret(m, inputs) as ArrayLiteral).data as Float64Array);
    expect(got.length).toBe(want.length);
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want[i])));
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type).toBe('module');
  });

  it("name the output after the source's root, fused or not (not after fusion's numbering)", () => {
    for (const fusion of [true, false]) {
      const art = buildArtifact(loadModule(MLP), { fusion });
      expect(art.manifest.outputs.map((t) => t.name)).toEqual(['probs']);
      expect(art.manifest.inputs.map((t) => t.name)).toEqual(['x', 'w1', 'b1', 'w2', 'b2']);
      expect(Buffer.from(art.files.get('model.d.ts')!).toString()).toMatch(/interface Outputs \{[^}]*\n\s*probs: Float32Array;/);
    }
  });

  it('declare types a strict TypeScript program compiles against, and rejects misuse', () => {
    const art = buildArtifact(loadModule(MLP));
    const dir = mkdtempSync(join(tmpdir(), 'kiln-artifact-types-'));
    for (const [name, bytes] of art.files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const inputs = art.manifest.inputs.map((t) => `${JSON.stringify(t.name)}: new Float32Array(${t.dims.reduce((a, b) => a * b, 1)})`).join(', ');
    const check = (body: string): string[] => {
      writeFileSync(join(dir, 'use.ts'), `import { load, manifest, type Inputs, type Outputs } from './model.js';\n${body}\n`);
      const program = ts.createProgram([join(dir, 'use.ts')], {
        strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [],
      });
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    };
    expect(check(`
      const model = await load(new Uint8Array(0));
      const inputs: Inputs = { ${inputs} };
      const out: Outputs = await model.run(inputs);
      const first: Float32Array = Object.values(out)[0];
      const threads: number = model.threads + manifest.memory.arenaBytes;
      model.dispose();
      export { first, threads };`)).toEqual([]);
    expect(check(`const model = await load(new Uint8Array(0)); await model.run({});`).join('\n')).toMatch(/missing/);
  });
});
