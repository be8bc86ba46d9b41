// What the bench page serves, written under bench/out/webgpu/:
//
//   page.js                      page.ts bundled for the browser (esbuild)
//   models/<name>/model.onnx     the workload (bench/models.ts), which ort loads
//   models/<name>/kiln/          `kiln compile --target wgsl` of that .onnx: model.js, shaders, weights.bin, runtime
//   models/<name>/meta.json      inputs, outputs, family, and where each initializer lies in tfjs-weights.bin
//   models/<name>/tfjs-weights.bin, inputs.bin   f32 data: the ONNX initializers (tfjs rebuilds the graph), the inputs
//   vendor/{tfjs-core,tfjs-webgpu,ort}            links to the peers' browser bundles in node_modules
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { writeArtifact } from '../../compiler/artifact/index.js';
import { buildWebGpuArtifact } from '../../compiler/artifact/webgpu.js';
import type { GpuSchedule, TargetDescription } from '../../ir/target.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { loadModel } from '../../compiler/load.js';
import { modelInputs, onnxModels, OUT_DIR } from '../models.js';
import type { BenchModel } from '../runner.js';
import type { PageModel } from './page.js';

export const WEB_DIR = join(OUT_DIR, 'webgpu');

const require = createRequire(import.meta.url);
const pkgDir = (p: string) => dirname(require.resolve(`${p}/package.json`));
/** The folders the page loads the peers from; ort's `exports` hide its package.json. */
const VENDOR: Record<string, string> = {
  'tfjs-core': join(pkgDir('@tensorflow/tfjs-core'), 'dist'),
  'tfjs-webgpu': join(pkgDir('@tensorflow/tfjs-backend-webgpu'), 'dist'),
  ort: dirname(require.resolve('onnxruntime-web')),
};

export interface BuiltModel {
  model: BenchModel;
  dir: string;
  compileMs: number;
  /** Bytes of kiln's artifact without weights (shaders, runtime, model.js). */
  codeBytes: number;
}

const f32bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function concat(parts: Float32Array[]): Uint8Array {
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) all.set(p, (at += p.length) - p.length);
  return f32bytes(all);
}

/** Knobs of WGSL_TARGET's GPU schedule to try (run.ts --schedule): an experiment, not what `kiln compile` ships. */
export type ScheduleOverride = Partial<Omit<GpuSchedule, 'kind' | 'dot'>> & { dot?: Partial<GpuSchedule['dot']> };

/** WGSL_TARGET with `o`'s knobs. */
export function scheduleTarget(o: ScheduleOverride | undefined): TargetDescription {
  if (!o) return WGSL_TARGET;
  const s = WGSL_TARGET.schedule as GpuSchedule;
  return { ...WGSL_TARGET, schedule: { ...s, ...o, kind: 'gpu' as const, dot: { ...s.dot, ...o.dot } } };
}

/**
 * Writes the page's files for the workloads `only` selects (models.ts names or families);
 * `schedule` overrides WGSL_TARGET's schedule knobs for kiln's artifacts. `root` is emptied first.
 */
export async function buildPage(only: readonly string[], schedule?: ScheduleOverride, root = WEB_DIR): Promise<BuiltModel[]> {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'vendor'), { recursive: true });
  for (const [name, dir] of Object.entries(VENDOR)) symlinkSync(dir, join(root, 'vendor', name));
  await build({
    entryPoints: [join(import.meta.dirname, 'page.ts')], outfile: join(root, 'page.js'),
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'warning',
  });
  return onnxModels(only).map(({ model, bytes }) => {
    const dir = join(root, 'models', model.name);
    mkdirSync(dir, { recursive: true });
    const onnx = join(dir, 'model.onnx');
    writeFileSync(onnx, bytes);
    const t0 = performance.now();
    const { module, outputNames } = loadModel(onnx);
    const art = buildWebGpuArtifact(module, { outputNames, target: scheduleTarget(schedule) });
    const compileMs = performance.now() - t0;
    writeArtifact(art, join(dir, 'kiln'));
    let offset = 0;
    const weights = [...model.weights].map(([name, t]) => ({ name, dims: t.dims, offset: (offset += t.data.length) - t.data.length }));
    const meta: PageModel = { name: model.name, family: model.family, inputs: model.inputs, outputs: model.outputs, weights };
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    writeFileSync(join(dir, 'tfjs-weights.bin'), concat([...model.weights.values()].map((t) => t.data)));
    writeFileSync(join(dir, 'inputs.bin'), concat(modelInputs(model)));
    return { model: { ...model, onnx }, dir, compileMs, codeBytes: art.codeBytes };
  });
}
