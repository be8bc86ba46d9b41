// kiln alone on Deno's WebGPU (lavapipe where there is no GPU), through the webgpu backend
// (compiler/webgpu_backend.ts): the same passes and shaders as the page's artifact, run by
// runtime/webgpu in kiln's Deno child. A run's time includes the bridge's pipe both ways
// (inputs in, outputs back), which the page's runs do not have.
import { prepareWebGpu, webgpuAdapter, webgpuUnavailable } from '../../compiler/webgpu_backend.js';
import { loadModule } from '../../compiler/load.js';
import { stats, type Stats } from '../../compiler/stats.js';
import { arrayLiteral, type ArrayLiteral } from '../../ir/literal.js';
import { array } from '../../ir/shape.js';
import { modelInputs } from '../models.js';
import type { TargetDescription } from '../../ir/target.js';
import type { BenchModel } from '../runner.js';

export interface DenoResult { stats?: Stats; output?: Float32Array; coldMs?: number; skip?: string }

/** The adapter Deno finds, or why there is none. */
export async function denoAdapter(): Promise<{ adapter?: string; skip?: string }> {
  const why = await webgpuUnavailable();
  return why ? { skip: why } : { adapter: webgpuAdapter() };
}

/** Compiled for `target` (default WGSL_TARGET); `warmup` untimed runs, then `reps` timed runs and more until `minMs` have passed. */
export async function timeOnDeno(model: BenchModel, warmup: number, reps: number, minMs = 0, target?: TargetDescription): Promise<DenoResult> {
  try {
    const t0 = performance.now();
    const exe = await prepareWebGpu(loadModule(model.onnx!), target ? { target } : {});
    const args = modelInputs(model).map((data, i) => arrayLiteral(array('f32', model.inputs[i]!.dims), data));
    let out = (await exe.run(args)) as ArrayLiteral;
    const coldMs = performance.now() - t0;
    for (let i = 0; i < warmup; i++) await exe.run(args);
    const samples: number[] = [];
    const until = performance.now() + minMs;
    for (let i = 0; i < reps || performance.now() < until; i++) {
      const t = performance.now();
      out = (await exe.run(args)) as ArrayLiteral;
      samples.push(performance.now() - t);
    }
    await exe.program.dispose();
    return { stats: stats(samples), output: Float32Array.from(out.data as ArrayLike<number>), coldMs };
  } catch (e) {
    return { skip: (e as Error).message.split('\n')[0] };
  }
}
