// `kiln compile` (a folder that runs without kiln) and `kiln import` (ONNX as HLO text).
import { writeFileSync } from 'node:fs';
import type { Module } from '../../ir/module.js';
import { printModule } from '../../ir/print.js';
import type { TargetDescription } from '../../ir/target.js';
import { UsageError } from '../errors.js';
import { TARGETS, type TargetName } from '../targets.js';
import { binaryenFlag, one, targetFlag } from './flags.js';
import { loadWithOptions } from './model_inputs.js';
import type { Values } from './options.js';

/** What a build is given: the model and its output names, the options, the target's description, the folder. */
interface BuildRequest {
  readonly m: Module;
  readonly outputNames: readonly string[] | undefined;
  readonly v: Values;
  readonly target: TargetDescription;
  readonly dir: string;
}

/** What a build wrote: the folder's files, its bytes of code without weights, and the milliseconds compiling took. */
interface Built {
  readonly files: readonly string[];
  readonly codeBytes: number;
  readonly ms: number;
}

/**
 * How each target's folder is built: a mapped type over compiler/targets.ts's names, so a
 * target added to the table fails to compile here until its folder can be built.
 */
const BUILDERS: { readonly [T in TargetName]: (r: BuildRequest) => Promise<Built> } = {
  wasm: async ({ m, outputNames, v, target, dir }) => {
    // Imported here, not at the top: compiler/artifact/ loads binaryen and TypeScript (see backend.ts).
    const { buildArtifact, writeArtifact } = await import('../artifact/index.js');
    const t0 = performance.now();
    const art = buildArtifact(m, {
      target, threads: v.threads === true, embedWeights: v['weights-file'] !== true, relaxedSimd: v['relaxed-simd'] === true,
      fusion: v['no-fusion'] !== true, outputNames, binaryen: binaryenFlag(v),
    });
    const ms = performance.now() - t0;
    writeArtifact(art, dir);
    return { files: [...art.files.keys()], codeBytes: art.codeBytes, ms };
  },
  wgsl: async ({ m, outputNames, v, target, dir }) => {
    for (const flag of ['threads', 'weights-file', 'relaxed-simd', 'binaryen'])
      if (v[flag] !== undefined) throw new UsageError(`--${flag} applies to --target wasm only (a WebGPU artifact always has weights.bin)`);
    const { writeArtifact } = await import('../artifact/index.js');
    const { buildWebGpuArtifact } = await import('../artifact/webgpu.js');
    const t0 = performance.now();
    const art = buildWebGpuArtifact(m, { target, fusion: v['no-fusion'] !== true, outputNames });
    const ms = performance.now() - t0;
    writeArtifact(art, dir);
    return { files: [...art.files.keys()], codeBytes: art.codeBytes, ms };
  },
  cuda: async ({ m, outputNames, v, target, dir }) => {
    for (const flag of ['threads', 'weights-file', 'relaxed-simd', 'binaryen'])
      if (v[flag] !== undefined) throw new UsageError(`--${flag} applies to --target wasm only (a CUDA artifact always has weights.bin)`);
    const { writeArtifact } = await import('../artifact/index.js');
    const { buildCudaArtifact } = await import('../artifact/cuda.js');
    const t0 = performance.now();
    const art = await buildCudaArtifact(m, {
      target, fusion: v['no-fusion'] !== true, outputNames, arch: archFlag(v), ptx: v['no-ptx'] !== true,
      warn: (line) => console.error(`kiln compile: warning: ${line}`),
    });
    const ms = performance.now() - t0;
    writeArtifact(art, dir);
    return { files: [...art.files.keys()], codeBytes: art.codeBytes, ms };
  },
};

/** --arch sm_NN (cuda only): what model.ptx is built for; the manifest names it. */
function archFlag(v: Values): string | undefined {
  const arch = v.arch;
  if (arch === undefined) return undefined;
  if (typeof arch !== 'string' || !/^(sm|compute)_\d+[a-z]?$/.test(arch)) throw new UsageError(`--arch wants a GPU architecture such as sm_90, got '${String(arch)}'`);
  return arch;
}

export async function compile(pos: string[], v: Values): Promise<number> {
  const file = one(pos, 'model file');
  const target = targetFlag(v);
  if (!v.o) throw new UsageError('compile needs -o DIR');
  const { module: m, outputNames } = loadWithOptions(file, v);
  const dir = v.o as string;
  for (const flag of ['arch', 'no-ptx'])
    if (v[flag] !== undefined && target !== 'cuda') throw new UsageError(`--${flag} applies to --target cuda only`);
  const built = await BUILDERS[target]({ m, outputNames, v, target: TARGETS[target].description, dir });
  console.log(`${dir}: ${built.files.join(', ')}; code ${built.codeBytes} bytes without weights; compiled in ${built.ms.toFixed(0)} ms`);
  return 0;
}

export async function importOnnx(pos: string[], v: Values): Promise<number> {
  const file = one(pos, 'ONNX model');
  if (!file.endsWith('.onnx')) throw new UsageError(`import reads .onnx files, got '${file}'`);
  if (!v.o) throw new UsageError('import needs -o OUT.hlo');
  writeFileSync(v.o as string, printModule(loadWithOptions(file, v).module));
  return 0;
}
