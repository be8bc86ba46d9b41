// A reference executor for kernel IR. It gives each construct its meaning (operators
// are the HLO interpreter's own scalar kernels, so a kernel means what the HLO it came
// from means), checks every access against its buffer's bounds, and lets lowering be
// tested without any target. Kernels are compiled to JavaScript closures once, then run.
//
// It also stands in for a GPU that is hostile to wrong kernels: a `parallel` loop's
// iterations run as invocations in a seeded shuffled order, phase by phase between
// barriers, and two invocations of one launch that touch one element (one writing) in
// one phase are reported as a race (docs/kernel-ir.md, "The reference executor").
import { readElement } from '../scalar/elements.js';
import { byteSize } from '../dtype.js';
import { branchIndex, unreachable, type Kernel, type Launch, type Program, type ProgramBuffer, type Step } from './kernel.js';
import { compileKernel } from './exec_stmt.js';
import { KernelOutOfBounds, LaunchState, orderGenerator, resolveOptions, type BoundParam, type ExecOptions } from './exec_state.js';

export { KernelOutOfBounds, type ExecOptions } from './exec_state.js';
export { KernelBarrierMismatch } from './exec_parallel.js';
export { KernelRace } from './races.js';
export { DEFAULT_SEED } from './shuffle.js';

/** Memory for a program: one byte array per region. */
export interface ProgramMemory {
  readonly constants: Uint8Array;
  readonly arena: Uint8Array;
}

export function allocateMemory(p: Program): ProgramMemory {
  const constants = new Uint8Array(p.constantsBytes);
  for (const b of p.buffers) if (b.region === 'constants' && b.data) constants.set(b.data, b.offset);
  return { constants, arena: new Uint8Array(p.arenaBytes) };
}

/** Runs the program's steps in order over `mem`. */
export function runProgram(p: Program, mem: ProgramMemory, options?: ExecOptions): void {
  const opts = resolveOptions(options);
  const next = orderGenerator(opts);
  const compiled = p.kernels.map((k) => compileKernel(k, new LaunchState(k.name, opts, next)));
  const regionOf = (id: number): { b: ProgramBuffer; bytes: Uint8Array } => {
    const b = p.buffers[id];
    if (!b) throw new KernelOutOfBounds(`${p.name}: no buffer ${id}`);
    return { b, bytes: b.region === 'constants' ? mem.constants : mem.arena };
  };
  /** The scalar a control step reads (a pred or an s32 at the buffer's start). */
  const scalarAt = (id: number, dtype: 'pred' | 's32'): number => {
    const { b, bytes } = regionOf(id);
    if (b.dtype !== dtype || b.bytes < byteSize(dtype)) throw new Error(`${p.name}: control flow reads buffer ${b.name} (${b.dtype}, ${b.bytes} B) as a ${dtype} scalar`);
    return Number(readElement(new DataView(bytes.buffer, bytes.byteOffset), b.offset, dtype));
  };
  const launch = (l: Launch): void => {
    const kernel = p.kernels[l.kernel];
    const params = kernel.params.map((param, i): BoundParam => {
      const { b, bytes } = regionOf(l.args[i]);
      if (param.size * byteSize(param.dtype) > b.bytes)
        throw new KernelOutOfBounds(`${kernel.name}: parameter ${param.name} (${param.size} × ${param.dtype}) is larger than buffer ${b.name} (${b.bytes} bytes)`);
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      return { param, view, base: b.offset, elementBytes: byteSize(param.dtype), memory: `${b.region}+${b.offset}`, memoryBytes: b.bytes };
    });
    compiled[l.kernel](params);
  };
  const run = (steps: readonly Step[]): void => {
    for (const s of steps) {
      switch (s.k) {
        case 'launch': launch(s); break;
        case 'while':
          for (run(s.cond); scalarAt(s.pred, 'pred'); run(s.cond)) run(s.body);
          break;
        case 'switch':
          run(s.branches[branchIndex(s.indexType, scalarAt(s.index, s.indexType), s.branches.length)]);
          break;
        default: unreachable(s);
      }
    }
  };
  run(p.steps);
}

/**
 * Runs one kernel over memories of its own, one per parameter (little-endian element
 * bytes, at least `size` elements each): for tests of hand-built kernels.
 */
export function runKernel(kernel: Kernel, data: readonly Uint8Array[], options?: ExecOptions): void {
  const opts = resolveOptions(options);
  if (data.length !== kernel.params.length) throw new Error(`${kernel.name}: ${kernel.params.length} parameters, ${data.length} memories`);
  const params = kernel.params.map((param, i): BoundParam => {
    const bytes = data[i], elementBytes = byteSize(param.dtype);
    if (param.size * elementBytes > bytes.length) throw new KernelOutOfBounds(`${kernel.name}: parameter ${param.name} needs ${param.size * elementBytes} bytes, has ${bytes.length}`);
    return { param, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), base: 0, elementBytes, memory: `param ${i}`, memoryBytes: bytes.length };
  });
  compileKernel(kernel, new LaunchState(kernel.name, opts, orderGenerator(opts)))(params);
}
