// The CUDA target's part of an artifact (assemble.ts): model.cu and model.h (the CUDA C a
// C++ program builds in with nvcc), model.ptx (when nvcc was here to build it), the
// CudaManifest as model.json, weights.bin, the runtime folders core and cuda, and its slots
// in the typed wrapper (wrapper.ts): `load(opts?)` over runtime/cuda's loadModel. The
// wrapper reads model.json, model.ptx and weights.bin beside model.js with node:fs (the
// driver API is Node's only way to a GPU here, so there is no browser case to serve), and
// reads model.json rather than trusting its own copy of the manifest: a folder compiled
// where nvcc was missing gets its PTX built later, and model.json then names it.
import type { Module } from '../../ir/module.js';
import type { CudaManifest } from '../../runtime/cuda/manifest.js';
import { compileCuda, type CudaArtifact } from '../../targets/cuda/index.js';
import { CUDA_TARGET } from '../../targets/cuda/target.js';
import { compileProgram, type CompileOptions } from '../compile.js';
import { cudaTool, ptxOf } from '../cuda/nvcc.js';
import { assemble, withOutputNames, type TargetArtifact } from './assemble.js';
import type { Artifact } from './index.js';
import type { WrapperTarget } from './wrapper.js';

/** runtime/'s folders a CUDA artifact ships. */
export const CUDA_RUNTIME = ['core', 'cuda'] as const;

export const PTX_FILE = 'model.ptx';

/** runtime/cuda reaches the driver through koffi (kiln's own dependency, the same range): `npm install` in the folder fetches it. */
const CUDA_DEPENDENCIES = { koffi: '^2' } as const;

export interface CudaArtifactOptions extends CompileOptions {
  /** Output names to use instead of the module's (ONNX graphs name theirs). */
  readonly outputNames?: readonly string[];
  /** The GPU architecture model.ptx is built for (default sm_90). */
  readonly arch?: string;
  /** Build model.ptx with nvcc (default true); without nvcc here the folder has none either way. */
  readonly ptx?: boolean;
  /** Told once when model.ptx is not built for want of nvcc. */
  readonly warn?: (line: string) => void;
}

export interface CudaFolder extends Omit<Artifact, 'manifest'> {
  manifest: CudaManifest;
}

/** The folder `kiln compile --target cuda` writes: CUDA C, manifest, weights, PTX where nvcc is here, runtime, wrapper. */
export async function buildCudaArtifact(m: Module, opts: CudaArtifactOptions = {}): Promise<CudaFolder> {
  const art = compileCuda(compileProgram(m, { target: CUDA_TARGET, ...opts }).program, { arch: opts.arch });
  const ptx = opts.ptx === false ? undefined : await ptxIfNvcc(art, opts.warn);
  const target = cudaArtifact(art, ptx, opts.outputNames);
  return { ...assemble(target), manifest: target.manifest };
}

/** model.ptx's text; undefined (after one warning) where there is no nvcc. */
async function ptxIfNvcc(art: CudaArtifact, warn: (line: string) => void = () => {}): Promise<string | undefined> {
  if (!cudaTool('nvcc')) {
    warn(`no nvcc (on the PATH or in /usr/local/cuda/bin): the folder has no ${PTX_FILE}; build it with nvcc -ptx -arch=${art.manifest.arch} -fmad=false model.cu`);
    return undefined;
  }
  return ptxOf(art);
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** What a CUDA artifact holds; `ptx` named in the manifest only when there is one. */
export function cudaArtifact(art: CudaArtifact, ptx: string | undefined, outputNames?: readonly string[]): TargetArtifact<CudaManifest> {
  const named = withOutputNames(art.manifest, outputNames);
  const manifest: CudaManifest = ptx === undefined ? named : { ...named, ptx: PTX_FILE };
  const code: (readonly [string, Uint8Array])[] = [['model.cu', text(art.cu)], ['model.h', text(art.h)]];
  // Weights live in weights.bin, never in the code: embeddedWeightBytes is 0.
  return {
    manifest, code, builds: ptx === undefined ? [] : [[PTX_FILE, text(ptx)]], weights: art.weights, runtime: CUDA_RUNTIME,
    wrapper: cudaWrapper(manifest), embeddedWeightBytes: 0, dependencies: CUDA_DEPENDENCIES,
  };
}

/** What the CUDA wrapper imports, declares and defines besides the shared parts. */
export function cudaWrapper(man: CudaManifest): WrapperTarget {
  return {
    imports: [
      { moduleSpecifier: 'node:fs', namedImports: ['readFileSync'] },
      { moduleSpecifier: './runtime/cuda/index.js', namedImports: ['loadModel', 'type Model'] },
      { moduleSpecifier: './runtime/cuda/manifest.js', namedImports: ['type CudaManifest'] },
    ],
    manifestType: 'CudaManifest',
    manifestDoc: 'The kernels, launches and where each tensor lives in the arena (model.json holds the same).',
    modelProperties: [{ name: 'deviceName', type: 'string', isReadonly: true, docs: ['The GPU\'s name, as the driver reports it.'] }],
    disposeDoc: 'Frees the model\'s device memory and module.',
    functions: [loadFunction(man)],
  };
}

function loadFunction(man: CudaManifest): WrapperTarget['functions'][number] {
  return {
    name: 'load', isExported: true, isAsync: true,
    docs: [[
      `Loads ${man.name} on an NVIDIA GPU: reads model.json, its PTX and ${man.weights ?? 'weights'} beside model.js, and loads them through the CUDA driver.`,
      '@param opts.device the CUDA device ordinal (default 0)',
      '@param opts.library the driver library (default libcuda.so.1)',
    ].join('\n')],
    parameters: [{ name: 'opts', type: '{ device?: number; library?: string }', initializer: '{}' }],
    returnType: 'Promise<CompiledModel>',
    statements: [
      'const file = (name: string) => new URL(name, import.meta.url);',
      'const man = JSON.parse(readFileSync(file(\'model.json\'), \'utf8\')) as CudaManifest;',
      'if (man.ptx === undefined) throw new Error(`kiln model ${man.name}: model.json names no PTX (compiled without nvcc): build it with nvcc -ptx -arch=${man.arch} -fmad=false model.cu and add "ptx": "model.ptx" to model.json`);',
      'const weights = man.weights === undefined ? undefined : new Uint8Array(readFileSync(file(man.weights)));',
      'const model: Model = await loadModel(readFileSync(file(man.ptx)), man, { weights, ...opts });',
      'return {',
      '  deviceName: model.deviceName,',
      '  run: async (inputs: Inputs) => (await model.run(inputs as unknown as Record<string, never>)) as unknown as Outputs,',
      '  dispose: () => model.dispose(),',
      '};',
    ],
  };
}
