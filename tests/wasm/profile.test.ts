// Profiled builds (WasmOptions.profile): off by default, so what ships imports only its
// memory; on, the module ticks env.profile_tick at a run's start and after every launch
// site (inside while bodies and switch branches too), and computes what the plain build does.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { loadModule } from '../../compiler/load.js';
import { inputBytes } from '../../compiler/program_io.js';
import { randomInputs } from '../../compiler/random.js';
import { launchesOf, type Program } from '../../ir/kernel/kernel.js';
import { leaves } from '../../ir/shape.js';
import { ARRAY_OF, loadModel, type TypedArray } from '../../runtime/wasm/index.js';
import { compileWasm, PROFILE_START, PROFILE_TICK, type WasmArtifact } from '../../targets/wasm/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const programOf = (file: string): Program => compileProgram(loadModule(join(ROOT, file))).program;
const importsOf = (wasm: Uint8Array) => WebAssembly.Module.imports(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>)).map((i) => `${i.module}.${i.name}:${i.kind}`);

/** Runs `art` once on seeded inputs; returns its outputs and the sites it ticked, in order. */
async function runTicking(p: Program, art: WasmArtifact): Promise<{ outputs: TypedArray[]; ticks: number[] }> {
  const ticks: number[] = [];
  const imports = art.profileSites ? { [PROFILE_TICK]: (site: number) => void ticks.push(site) } : undefined;
  const model = await loadModel(art.wasm, art.manifest, { weights: art.weights, imports });
  const params = p.inputs.map((io) => p.buffers[io.buffer]).map((b) => ({ kind: 'array' as const, dtype: b.dtype, dims: [...b.dims] }));
  const inputs = inputBytes(p, randomInputs(params.flatMap(leaves), 3)).map(({ bytes }, i) => new ARRAY_OF[art.manifest.inputs[i].dtype](bytes.buffer));
  const out = await model.run(inputs);
  model.dispose();
  return { outputs: art.manifest.outputs.map((t) => out[t.name]), ticks };
}

describe('profiled wasm builds', () => {
  it('are off by default: the plain module imports only its memory, byte for byte as with profile: false', () => {
    const p = programOf('examples/lenet5.hlo');
    const plain = compileWasm(p);
    expect(importsOf(plain.wasm)).toEqual(['env.memory:memory']);
    expect(plain.profileSites).toBeUndefined();
    expect(compileWasm(p, { profile: false }).wasm).toEqual(plain.wasm);
    expect(compileWasm(p, { shared: true, profile: false }).wasm).toEqual(compileWasm(p, { shared: true }).wasm);
  });

  it('import profile_tick and number every launch site, depth first', () => {
    const p = programOf('tests/golden/cases/while_in_conditional.hlo');
    const art = compileWasm(p, { profile: true });
    expect(importsOf(art.wasm).sort()).toEqual(['env.memory:memory', `env.${PROFILE_TICK}:function`]);
    expect(art.profileSites).toEqual([...launchesOf(p.steps)].map((l) => l.kernel));
  });

  it.each(['tests/golden/cases/while_nested.hlo', 'tests/golden/cases/while_in_conditional.hlo', 'examples/lenet5.hlo'])(
    '%s: ticks at the start and after each launch, and computes what the plain build does', async (file) => {
      const p = programOf(file);
      for (const shared of [false, true]) {
        const art = compileWasm(p, { profile: true, shared });
        const plain = await runTicking(p, compileWasm(p, { shared }));
        const profiled = await runTicking(p, art);
        expect(profiled.outputs).toEqual(plain.outputs);
        expect(plain.ticks).toEqual([]);
        const [start, ...sites] = profiled.ticks;
        expect(start).toBe(PROFILE_START);
        expect(sites.length).toBeGreaterThan(0);
        expect(sites.every((s) => s >= 0 && s < art.profileSites!.length)).toBe(true);
      }
    });

  it('runs on one thread when given imports: functions cannot be sent to worker threads', async () => {
    const p = programOf('examples/mlp.hlo');
    const art = compileWasm(p, { profile: true, shared: true });
    const model = await loadModel(art.wasm, art.manifest, { threads: 2, imports: { [PROFILE_TICK]: () => {} } });
    expect(model.threads).toBe(1);
    model.dispose();
  });

  it('ticks a launch site in a while body once per iteration', async () => {
    const p = programOf('tests/golden/cases/while_nested.hlo');
    const { ticks } = await runTicking(p, compileWasm(p, { profile: true }));
    const counts = new Map<number, number>();
    for (const s of ticks) counts.set(s, (counts.get(s) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThan(1);
  });
});
