// targets/wgsl: a kernel-IR Program → WGSL compute shaders + the manifest runtime/webgpu
// loads (runtime/webgpu/manifest.ts, imported as types only).
//
// One shader per distinct launch (kernel, buffers): the buffers' byte offsets are
// constants in its code, as the wasm target emits a function per launch. Each region
// (constants, arena) is one GPUBuffer bound as an array of u32 words. Launches become
// dispatches; HLO while and conditional become manifest steps whose predicate or index
// the runtime reads back. docs/webgpu.md has the details; docs/kernel-ir.md the mapping
// of each construct.
import { unreachable, type Launch, type Program, type ProgramIO, type Step } from '../../ir/kernel/kernel.js';
import type { GpuShader, GpuStep, GpuTensor, WebGpuManifest } from '../../runtime/webgpu/manifest.js';
import { NotSupported } from './errors.js';
import { renderLaunch, type LaunchParam } from './kernel.js';
import { identifier, Names } from './names.js';
import { constantsImage } from '../constants_image.js';

export type { WebGpuManifest } from '../../runtime/webgpu/manifest.js';
export { NotSupported } from './errors.js';

export interface WgslArtifact {
  readonly manifest: WebGpuManifest;
  /** WGSL text by file name (the shaders' `file` in the manifest). */
  readonly shaders: Map<string, string>;
  /** The constants region image (`manifest.weights`), when a constant has data. */
  readonly weights?: Uint8Array;
}

export const WEIGHTS_FILE = 'weights.bin';
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

export function compileWgsl(p: Program): WgslArtifact {
  // The word after the program's arena: where shaders report a loop the driver cut short.
  const loopCheck = align4(p.arenaBytes);
  const shaders = new Shaders(p, loopCheck / 4);
  /** The arena byte offset of a control step's scalar. */
  const controlOffset = (id: number, what: string): number => {
    const b = bufferOf(p, id);
    if (b.region !== 'arena') throw new NotSupported(`${p.name}: the ${what} of a control step is a constant (${b.name}); the WebGPU runtime reads it from the arena`);
    return b.offset;
  };
  const steps = (ss: readonly Step[]): GpuStep[] => ss.map((s): GpuStep => {
    switch (s.k) {
      case 'launch': return shaders.dispatch(s);
      case 'while': return { k: 'while', cond: steps(s.cond), pred: controlOffset(s.pred, 'predicate'), body: steps(s.body) };
      case 'switch': return { k: 'switch', index: controlOffset(s.index, 'index'), indexType: s.indexType, branches: s.branches.map(steps) };
      default: return unreachable(s);
    }
  });
  const tensor = (io: ProgramIO): GpuTensor => {
    const b = bufferOf(p, io.buffer);
    if (b.region !== 'arena') throw new NotSupported(`${p.name}: ${io.name} is a constant; WebGPU inputs and outputs live in the arena`);
    if (b.offset % 4 !== 0) throw new NotSupported(`${p.name}: ${io.name} is at arena byte ${b.offset}, not a multiple of 4`);
    return { name: io.name, dtype: b.dtype, dims: [...b.dims], offset: b.offset, bytes: b.bytes };
  };

  const gpuSteps = steps(p.steps);
  const image = constantsImage(p, align4(p.constantsBytes));
  const constantsBytes = align4(p.constantsBytes), arenaBytes = loopCheck + 4;
  const bound = shaders.list.flatMap((s) => s.bindings.map((b) => (b.region === 'arena' ? arenaBytes : constantsBytes)));
  const manifest: WebGpuManifest = {
    format: 'kiln-webgpu/1', name: p.name, constantsBytes, arenaBytes, loopCheck,
    ...(image ? { weights: WEIGHTS_FILE } : {}),
    features: [],
    maxBindingBytes: Math.max(4, ...bound),
    shaders: shaders.list, steps: gpuSteps, inputs: p.inputs.map(tensor), outputs: p.outputs.map(tensor),
  };
  return image ? { manifest, shaders: shaders.texts, weights: image } : { manifest, shaders: shaders.texts };
}

/** One shader per distinct launch (kernel, buffers), rendered on first use. */
class Shaders {
  readonly list: GpuShader[] = [];
  readonly texts = new Map<string, string>();
  private readonly byLaunch = new Map<string, { shader: number; workgroups: readonly [number, number, number] }>();
  private readonly entries = new Names();

  constructor(private readonly p: Program, private readonly loopWord: number) {}

  dispatch(l: Launch): GpuStep {
    const key = `${l.kernel}:${l.args.join(',')}`;
    const known = this.byLaunch.get(key) ?? this.render(l);
    this.byLaunch.set(key, known);
    return { k: 'dispatch', shader: known.shader, workgroups: known.workgroups };
  }

  private render(l: Launch): { shader: number; workgroups: readonly [number, number, number] } {
    const p = this.p;
    const k = p.kernels[l.kernel] ?? fail(`${p.name}: launch of missing kernel ${l.kernel}`);
    const entry = this.entries.fresh(identifier(k.name));
    const params = l.args.map((id): LaunchParam => {
      const b = bufferOf(p, id);
      return { region: b.region === 'constants' ? 'consts' : 'arena', base: b.offset };
    });
    const header = `// kiln: kernel ${k.name} (HLO ${k.source}) of ${p.name}, launched on buffers ${l.args.map((id) => bufferOf(p, id).name).join(', ')}`;
    const r = renderLaunch(k, entry, params, header, { word: this.loopWord, value: this.list.length + 1 });
    const file = `shaders/${entry}.wgsl`;
    this.texts.set(file, r.wgsl);
    this.list.push({ name: k.name, file, entryPoint: r.entryPoint, workgroupSize: r.workgroupSize, bindings: r.bindings });
    return { shader: this.list.length - 1, workgroups: r.workgroups };
  }
}

const bufferOf = (p: Program, id: number) => p.buffers[id] ?? fail(`${p.name}: no buffer ${id}`);

function fail(msg: string): never {
  throw new Error(msg);
}

