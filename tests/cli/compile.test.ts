// `kiln compile` as users run it: the folder it writes names the model's outputs as the
// source does (whatever fusion numbers its root), ships the runtime built once into
// dist/runtime/ — the same bytes as the artifact writer run from the TypeScript sources —
// and runs with plain Node from where it was written.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArtifact } from '../../compiler/artifact/index.js';
import { loadModule } from '../../compiler/load.js';
import { kiln, ROOT } from './kiln.js';

const MLP = join(ROOT, 'examples', 'mlp.hlo');
const dir = mkdtempSync(join(tmpdir(), 'kiln-cli-compile-'));

/** The files under `root`, relative to it, sorted. */
const filesUnder = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/')).sort();

describe('kiln compile', () => {
  for (const fusion of [true, false]) {
    it(`names the output after the source's root, ${fusion ? 'fused' : 'with --no-fusion'}: model.json and the wrapper say 'probs'`, () => {
      const out = join(dir, fusion ? 'fused' : 'unfused');
      const r = kiln(['compile', MLP, '-o', out, ...(fusion ? [] : ['--no-fusion'])]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { inputs: { name: string }[]; outputs: { name: string }[] };
      expect(manifest.outputs.map((t) => t.name)).toEqual(['probs']);
      expect(manifest.inputs.map((t) => t.name)).toEqual(['x', 'w1', 'b1', 'w2', 'b2']);
      const types = readFileSync(join(out, 'model.d.ts'), 'utf8');
      expect(types).toMatch(/interface Outputs \{[^}]*\n\s*probs: Float32Array;/);
    });
  }

  it("ships the same bytes as the artifact writer run from the sources (dist/runtime/ is the runtime's one build)", () => {
    const out = join(dir, 'same');
    expect(kiln(['compile', MLP, '-o', out]).status).toBe(0);
    const art = buildArtifact(loadModule(MLP));
    expect(filesUnder(out)).toEqual([...art.files.keys()].sort());
    for (const [name, bytes] of art.files) expect(Buffer.from(bytes).equals(readFileSync(join(out, name))), name).toBe(true);
    expect(filesUnder(join(out, 'runtime'))).toEqual(expect.arrayContaining(['core/manifest.js', 'core/manifest.d.ts', 'wasm/index.js', 'wasm/index.d.ts']));
  });

  it('writes a folder that runs with plain node: load(), run(), outputs by name', () => {
    const out = join(dir, 'run');
    expect(kiln(['compile', MLP, '-o', out]).status).toBe(0);
    writeFileSync(join(out, 'run.mjs'), `
      import { readFileSync } from 'node:fs';
      import { load, manifest } from './model.js';
      const model = await load(readFileSync('./model.wasm'));
      const inputs = Object.fromEntries(manifest.inputs.map((t) => [t.name, new Float32Array(t.bytes / 4).fill(0.5)]));
      const out = await model.run(inputs);
      model.dispose();
      console.log(JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v)]))));`);
    const r = spawnSync(process.execPath, ['run.mjs'], { cwd: out, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout) as Record<string, number[]>;
    expect(Object.keys(got)).toEqual(['probs']);
    // Equal inputs everywhere: every row of the softmax is uniform.
    for (const p of got.probs) expect(p).toBeCloseTo(0.25, 6);
  });
});
