// targets/cuda: a kernel-IR Program → CUDA C (model.cu, model.h) + the manifest
// runtime/cuda loads (runtime/cuda/manifest.ts, imported as types only).
//
// One `extern "C" __global__` function per kernel, named `<id>_<kernel>` (so that several
// models link into one program), its buffers as typed pointers that each launch computes
// from the two regions (constants, arena). Integer division and shifts are legalized
// first (passes/kernel/legalize.ts): C's are undefined where XLA's are defined. The host
// launcher runs the steps in C; the manifest lists the same steps for runtime/cuda.
// docs/cuda.md has the details; docs/kernel-ir.md maps each construct.
import { launchesOf, type Launch, type Program, type ProgramIO } from '../../ir/kernel/kernel.js';
import { walkStmts } from '../../ir/kernel/walk.js';
import { legalizeProgram } from '../../passes/kernel/legalize.js';
import type { CudaKernel, CudaManifest, CudaTensor } from '../../runtime/cuda/manifest.js';
import { NotSupported } from './errors.js';
import { Helpers } from './helpers.js';
import { argText, bufferOf, headerText, hostText, manifestSteps, stepLines, type IoDecl } from './host.js';
import { renderKernel, type Dim3, type RenderedKernel } from './kernel.js';
import { cudaNames, identifier } from './names.js';
import { STORAGE } from './types.js';
import { constantsImage } from '../constants_image.js';

export type { CudaManifest } from '../../runtime/cuda/manifest.js';
export { NotSupported } from './errors.js';

export interface CudaArtifact {
  readonly manifest: CudaManifest;
  /** model.cu: helpers, kernels and the host launcher. */
  readonly cu: string;
  /** model.h: the C API. */
  readonly h: string;
  /** The constants region image (`manifest.weights`), when a constant has data. */
  readonly weights?: Uint8Array;
}

export interface CudaOptions {
  /** The C identifier every symbol starts with (default: the program's name, made an identifier). */
  readonly id?: string;
  /** The architecture the manifest names (default sm_90). */
  readonly arch?: string;
}

export const WEIGHTS_FILE = 'weights.bin';

/**
 * C's integer division is undefined at x/0 and INT_MIN/−1 and its shifts outside
 * [0, bits); CUDA's f16/bf16 conversions (`__float2half_rn`, `__float2bfloat16_rn`)
 * round to nearest even as XLA does.
 */
const NATIVE = { exactDivision: false, exactShifts: false, exactRoundF16: true, exactRoundBf16: true } as const;

export function compileCuda(program: Program, o: CudaOptions = {}): CudaArtifact {
  const p = legalizeProgram(program, NATIVE);
  const id = modelId(o.id ?? p.name);
  const helpers = new Helpers();
  const kernels = renderKernels(p, id, helpers);
  const launch = (s: Launch) => {
    const r = kernels.get(s.kernel) ?? fail(`${p.name}: launch of missing kernel ${s.kernel}`);
    return { entry: r.entry, kernel: r.index, grid: r.rendered.grid, block: r.rendered.block, args: s.args.map((b, i) => argText(bufferOf(p, b), r.stored.has(i))) };
  };
  const steps = stepLines(p, p.steps, launch);
  const control = p.steps.some((s) => s.k !== 'launch');
  const ioNames = cudaNames();
  for (const r of ['model', 'stream', 'inputs', 'outputs', 'm', 'A', 'C', 'control']) ioNames.reserve(r);
  const inputs = p.inputs.map((io) => ioDecl(p, io, ioNames.fresh(identifier(io.name))));
  const outputs = p.outputs.map((io) => ioDecl(p, io, ioNames.fresh(identifier(io.name))));
  const image = constantsImage(p);
  const weightsBytes = image?.length ?? 0;
  const parts = { id, p, steps, control };
  const cu = modelText(p, id, helpers, [...kernels.values()].map((k) => k.rendered.text), hostText(parts, inputs, outputs, weightsBytes));
  const ordered = [...kernels.values()].sort((a, b) => a.index - b.index);
  const manifest: CudaManifest = {
    format: 'kiln-cuda/1', name: p.name, id, arch: o.arch ?? 'sm_90',
    constantsBytes: p.constantsBytes, arenaBytes: p.arenaBytes,
    ...(image ? { weights: WEIGHTS_FILE } : {}),
    kernels: ordered.map((k): CudaKernel => ({ entry: k.entry, source: p.kernels[k.kernel].source, params: p.kernels[k.kernel].params.length, sharedBytes: k.rendered.sharedBytes })),
    steps: manifestSteps(p, p.steps, launch),
    inputs: p.inputs.map((io) => tensor(p, io)), outputs: p.outputs.map((io) => tensor(p, io)),
  };
  const h = headerText(parts, inputs, outputs, weightsBytes);
  return image ? { manifest, cu, h, weights: image } : { manifest, cu, h };
}

interface KernelEntry {
  readonly kernel: number;
  readonly index: number;
  readonly entry: string;
  /** The parameters it stores into. */
  readonly stored: ReadonlySet<number>;
  readonly rendered: RenderedKernel;
}

/** Every launched kernel, rendered once, in the order of first launch. */
function renderKernels(p: Program, id: string, helpers: Helpers): Map<number, KernelEntry> {
  const names = cudaNames();
  const out = new Map<number, KernelEntry>();
  const launches = [...launchesOf(p.steps)];
  for (const l of launches) {
    if (out.has(l.kernel)) continue;
    const k = p.kernels[l.kernel] ?? fail(`${p.name}: launch of missing kernel ${l.kernel}`);
    const entry = names.fresh(`${id}_${identifier(k.name)}`);
    const own = launches.filter((x) => x.kernel === l.kernel);
    const stored = storedParams(k.body);
    const restrict = k.params.map((_, i) => own.every((x) => !aliased(p, x, i, stored)));
    // Regions start 256-byte aligned (cudaMalloc); a buffer at a multiple of 16 bytes takes float4 accesses.
    const aligned16 = k.params.map((_, i) => own.every((x) => bufferOf(p, x.args[i]).offset % 16 === 0));
    out.set(l.kernel, { kernel: l.kernel, index: out.size, entry, stored, rendered: renderKernel(k, { entry, stored, restrict, aligned16, helpers }) });
  }
  return out;
}

/** Whether parameter `i` of launch `l` overlaps another parameter's bytes where either is written. */
function aliased(p: Program, l: Launch, i: number, stored: ReadonlySet<number>): boolean {
  const a = bufferOf(p, l.args[i]);
  return l.args.some((other, j) => {
    if (j === i || !(stored.has(i) || stored.has(j))) return false;
    const b = bufferOf(p, other);
    return a.region === b.region && a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
  });
}

function storedParams(body: Program['kernels'][number]['body']): Set<number> {
  const stored = new Set<number>();
  walkStmts(body, (s) => { if (s.k === 'store') stored.add(s.buf); });
  return stored;
}

function modelText(p: Program, id: string, helpers: Helpers, kernels: readonly string[], host: string): string {
  const code = [...helpers.render(), ...kernels].join('\n\n');
  const includes = ['#include <cuda_runtime.h>', '#include <cuda_fp16.h>', '#include <cuda_bf16.h>', '#include <stdint.h>', '#include <stdlib.h>', '#include <math.h>', '#include "model.h"'];
  const bool4 = code.includes('kiln_bool4') ? [
    '/** A vector of 4 preds (CUDA has no bool4). */',
    'struct kiln_bool4 { bool x, y, z, w; };',
    'static __device__ __forceinline__ kiln_bool4 kiln_make_bool4(bool x, bool y, bool z, bool w) { kiln_bool4 r = { x, y, z, w }; return r; }',
    '',
  ] : [];
  return [
    `// kiln: model ${p.name} compiled to CUDA C (model id ${id}).`,
    '// Build with nvcc -fmad=false: kiln keeps HLO\'s rounding, where a multiply feeding an add',
    '// rounds twice; the sums of dots and convolutions are fmaf() already.',
    ...includes,
    '',
    '#ifndef KILN_LAUNCH',
    '#define KILN_LAUNCH(kernel, grid, block, stream, ...) kernel<<<grid, block, 0, stream>>>(__VA_ARGS__)',
    '#endif',
    '',
    ...bool4,
    code,
    '',
    host,
  ].join('\n');
}

function ioDecl(p: Program, io: ProgramIO, id: string): IoDecl {
  const b = bufferOf(p, io.buffer);
  if (b.region !== 'arena') throw new NotSupported(`${p.name}: ${io.name} is a constant; CUDA inputs and outputs live in the arena`);
  return { id, ctype: STORAGE[b.dtype], dtype: b.dtype, dims: b.dims, bytes: b.bytes, offset: b.offset };
}

function tensor(p: Program, io: ProgramIO): CudaTensor {
  const b = bufferOf(p, io.buffer);
  return { name: io.name, dtype: b.dtype, dims: [...b.dims], offset: b.offset, bytes: b.bytes };
}

/** A C identifier for a model: letters, digits and `_`, starting with a letter. */
export function modelId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/__+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Za-z]/.test(id) ? id : `m${id}`;
}

function fail(msg: string): never {
  throw new Error(msg);
}

export type { Dim3 };
