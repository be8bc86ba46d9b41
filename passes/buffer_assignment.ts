// Buffer assignment (XLA's BufferAssignment, simplified): every logical buffer of the
// entry computation (buffer_liveness.ts) gets a slice of one arena, the wasm linear
// memory the lowering lays out. Buffers whose live ranges overlap never share bytes;
// buffers that are never live at once may.
//
// Two kinds of reuse:
//   in place  an elementwise instruction, or a kLoop fusion whose operand reaches the
//             root through elementwise ops only, writes its result over an operand it
//             reads for the last time: element i is read before element i is written,
//             and nothing else reads that operand afterwards.
//   packing   the remaining buffers (an in-place chain counts as one) are placed largest
//             first, each at the best-fitting aligned gap among the buffers live at the
//             same time, as XLA's GlobalDecreasingSizeBestFitHeap does. Ties go by start
//             and then by id, so the same module always gets the same offsets.
//
// Constants get no slice (a read-only segment holds them). Parameters are live from
// before the first instruction to their last read, so their bytes are free after that.
// What the root returns is live to the end; a root leaf that is a parameter or a
// constant keeps its kind, and the lowering copies it out (docs/passes.md).
//
// Input/output aliasing (XLA's must-alias, for donated inputs): an aliased parameter's
// bytes are live through the whole run and hold the output's value after it. The output
// is written straight into them when nothing reads the parameter afterwards and its
// instruction reads the parameter only at the element it writes (the in-place rule), or
// the parameter is dead before it; otherwise it is computed into its own buffer and the
// lowering copies it over the parameter after the last instruction (XLA's copy insertion).
import { byteSize } from '../ir/dtype.js';
import { type Computation, type Instruction, type Module, usersOf } from '../ir/module.js';
import { isElementwise } from '../ir/opcodes.js';
import { type Shape, elementCount, sameDims, shapeToString, subshape } from '../ir/shape.js';
import { type Liveness, type LogicalBuffer, analyseLiveness, leafPaths, leafRange } from './buffer_liveness.js';

export type { BufferKind, BufferSlice, LogicalBuffer } from './buffer_liveness.js';

export interface BufferAssignment {
  /** In definition order; `id` is the index here. */
  buffers: LogicalBuffer[];
  /** Buffer holding the value of (instr, tupleIndex), aliases resolved. */
  bufferOf(instr: Instruction, index?: readonly number[]): LogicalBuffer;
  /** Peak: max(offset + bytes) over all slices, aligned. */
  arenaBytes: number;
  /** Sum of every parameter, output and temp buffer, each aligned: the arena without any reuse. */
  noReuseBytes: number;
  /** Sum of the temp buffers, each aligned. */
  intermediateBytes: number;
  /** Arena bytes held by temps at the worst point of the schedule. */
  peakIntermediateBytes: number;
  alignment: number;
  /** How each alias asked for (`BufferOptions.aliases`) is met, in the order asked. */
  aliases: AliasPlacement[];
}

/** Output leaf `output` (of the entry root; 0 for an array root) ends in entry parameter `param`'s bytes. */
export interface BufferAlias {
  output: number;
  param: number;
}

export interface AliasPlacement extends BufferAlias {
  /** The parameter's buffer: after the run it holds the output's value. */
  buffer: LogicalBuffer;
  /** The buffer the root returns at that leaf. */
  value: LogicalBuffer;
  /**
   * `same`: the output is the parameter, unchanged. `written`: the value's slice is the
   * parameter's (it was computed there). `copy`: the lowering copies value into buffer
   * after the last instruction.
   */
  how: 'same' | 'written' | 'copy';
  /**
   * A copy whose value is a parameter another copy overwrites (two parameters swapped):
   * the lowering copies it aside before any copy into a parameter.
   */
  staged: boolean;
}

export interface BufferOptions {
  /** Byte alignment of every offset, and the unit sizes are rounded up to (default 64). */
  alignment?: number;
  /** Let results overwrite operands that die there (default true). */
  inPlace?: boolean;
  /** Let buffers with disjoint live ranges share bytes (default true); off, each gets its own. */
  reuse?: boolean;
  /**
   * Parameters get no slice, like constants (default false): lowering a called computation
   * (a while body, a conditional branch) maps them onto its caller's buffers.
   */
  paramsOutside?: boolean;
  /** Outputs that must end in a parameter's bytes (checked: same shape, each once). */
  aliases?: readonly BufferAlias[];
}

/** A slice of the arena and the buffers that hold it one after another (an in-place chain). */
interface Allocation {
  buffers: LogicalBuffer[];
  start: number;
  end: number;
  /** Aligned bytes. */
  size: number;
  offset: number;
}

export function assignBuffers(m: Module, opts: BufferOptions = {}): BufferAssignment {
  const alignment = opts.alignment ?? 64;
  if (!Number.isInteger(alignment) || alignment <= 0) throw new Error(`buffer alignment must be a positive integer, got ${alignment}`);
  const live = analyseLiveness(m.entry);
  const aliases = placeAliases(m.entry, live, opts.aliases ?? [], opts.inPlace ?? true);
  if (opts.inPlace ?? true) findInPlace(m.entry, live);
  const outside = (b: LogicalBuffer): boolean => b.kind === 'constant' || (b.kind === 'parameter' && (opts.paramsOutside ?? false));
  const allocs = allocations(live.buffers.filter((b) => !outside(b)), alignment);
  if (opts.reuse ?? true) packBestFit(allocs);
  else packInOrder(allocs);
  for (const a of allocs) for (const b of a.buffers) b.slice = { offset: a.offset, bytes: b.bytes };
  const aligned = (b: LogicalBuffer) => roundUp(b.bytes, alignment);
  const sum = (bs: LogicalBuffer[]) => bs.reduce((s, b) => s + aligned(b), 0);
  return {
    buffers: live.buffers,
    bufferOf: (instr, index = []) => lookup(live, instr, index),
    arenaBytes: allocs.reduce((s, a) => Math.max(s, a.offset + a.size), 0),
    noReuseBytes: sum(live.buffers.filter((b) => !outside(b))),
    intermediateBytes: sum(live.buffers.filter((b) => b.kind === 'temp')),
    peakIntermediateBytes: peakTempBytes(allocs, live.length),
    alignment,
    aliases,
  };
}

/**
 * Decides how each alias is met and records it in the buffers: the parameter's live range
 * runs to the end, and an output written into the parameter's bytes becomes the start of
 * an in-place chain over it (`inPlaceOf`), before findInPlace looks for other chains.
 */
function placeAliases(entry: Computation, live: Liveness, asked: readonly BufferAlias[], inPlace: boolean): AliasPlacement[] {
  const root = entry.root;
  const rootPaths = leafPaths(root.shape);
  const seen = { output: new Set<number>(), param: new Set<number>() };
  const pairs = asked.map(({ output, param }) => {
    const p = entry.params[param];
    if (!Number.isInteger(param) || p === undefined) throw new Error(`alias: entry has no parameter ${param} (it takes ${entry.params.length})`);
    if (!Number.isInteger(output) || rootPaths[output] === undefined) throw new Error(`alias: the entry has no output ${output} (it returns ${rootPaths.length})`);
    if (p.shape.kind !== 'array') throw new Error(`alias: parameter ${param} (${p.name}) is a tuple; alias an array parameter`);
    if (seen.param.has(param) || seen.output.has(output)) throw new Error(`alias: ${seen.param.has(param) ? `parameter ${param}` : `output ${output}`} is aliased twice`);
    seen.param.add(param);
    seen.output.add(output);
    const buffer = lookup(live, p, []);
    const value = lookup(live, root, rootPaths[output]);
    if (buffer.shape.dtype !== value.shape.dtype || !sameDims(buffer.shape.dims, value.shape.dims))
      throw new Error(`alias: output ${output} is ${shapeToString(value.shape, { layout: false })}, parameter ${param} (${p.name}) is ${shapeToString(buffer.shape, { layout: false })}`);
    return { output, param, buffer, value };
  });
  // Last reads as the program has them, before the aliases keep the parameters to the end.
  const lastRead = new Map(pairs.map((a) => [a.buffer, a.buffer.end]));
  for (const a of pairs) a.buffer.end = live.length;
  const taken = new Set<LogicalBuffer>();
  const placed = pairs.map((a): AliasPlacement => {
    if (a.value === a.buffer) return { ...a, how: 'same', staged: false };
    if (inPlace && !taken.has(a.value) && canWriteInto(a.value, a.buffer, lastRead.get(a.buffer)!, live)) {
      taken.add(a.value);
      a.value.inPlaceOf = a.buffer;
      return { ...a, how: 'written', staged: false };
    }
    return { ...a, how: 'copy', staged: false };
  });
  const overwritten = new Set(placed.filter((a) => a.how === 'copy').map((a) => a.buffer));
  for (const a of placed) a.staged = a.how === 'copy' && overwritten.has(a.value);
  return placed;
}

/**
 * May `value` be computed straight into parameter `param`'s bytes? When its instruction
 * comes after the parameter's last read, or is that last read and reads it only at the
 * element it writes (the in-place rule). The value's slice starts a chain over the
 * parameter's, which must come first in definition order.
 */
function canWriteInto(value: LogicalBuffer, param: LogicalBuffer, lastRead: number, live: Liveness): boolean {
  if (value.kind !== 'output' || value.instr === param.instr || value.bytes === 0 || value.id < param.id) return false;
  const k = live.position.get(value.instr)!;
  if (lastRead < k) return true;
  if (lastRead > k) return false;
  const result = live.values.get(value.instr)!;
  const aligned = alignedOperands(value.instr);
  if (result.length !== 1 || result[0] !== value || !aligned) return false;
  return value.instr.operands.every((o, j) => aligned[j] || !live.values.get(o)!.includes(param));
}

function lookup(live: Liveness, instr: Instruction, index: readonly number[]): LogicalBuffer {
  const v = live.values.get(instr);
  if (!v) throw new Error(`${instr.name} is not an instruction of the entry computation`);
  if (subshape(instr.shape, index).kind !== 'array')
    throw new Error(`${instr.name} at {${index.join(',')}} is a tuple in ${shapeToString(instr.shape)}; tuples have no buffer, ask for an element`);
  return v[leafRange(instr.shape, index).first];
}

const roundUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Marks results that may overwrite an operand buffer (`inPlaceOf`), in schedule order. */
function findInPlace(entry: Computation, live: Liveness): void {
  entry.instructions.forEach((instr, k) => {
    const result = live.values.get(instr)!;
    if (result.length !== 1 || result[0].instr !== instr || result[0].inPlaceOf) return;
    const aligned = alignedOperands(instr);
    if (!aligned) return;
    const r = result[0];
    for (const o of instr.operands) {
      const v = live.values.get(o)!;
      if (v.length !== 1 || !canOverwrite(v[0], r, k)) continue;
      // Every operand naming that buffer (add(x, reshape(x))...) must read it at the output's index.
      const b = v[0];
      if (instr.operands.every((p, j) => aligned[j] || !live.values.get(p)!.includes(b))) {
        r.inPlaceOf = b;
        return;
      }
    }
  });
}

/** A temp read for the last time at k, with the result's size in bytes and per element. */
function canOverwrite(b: LogicalBuffer, r: LogicalBuffer, k: number): boolean {
  return b.kind === 'temp' && b.end === k && r.bytes > 0 && b.bytes === r.bytes && byteSize(b.shape.dtype) === byteSize(r.shape.dtype);
}

/**
 * Per operand: is element i of the result computed from element i (row-major) of it alone,
 * at the same byte position? Undefined when the instruction cannot write in place at all.
 */
export function alignedOperands(instr: Instruction): boolean[] | undefined {
  const out = instr.shape;
  if (out.kind !== 'array' || instr.asyncOf !== undefined) return undefined;
  // Same elements at the same bytes; a bitcast alias of another element type is not.
  const sameLayout = (s: Shape) => s.kind === 'array' && elementCount(s) === elementCount(out) && byteSize(s.dtype) === byteSize(out.dtype);
  if (isElementwise(instr.opcode)) return instr.operands.map((o) => sameLayout(o.shape));
  if (instr.opcode !== 'fusion') return undefined;
  const { kind, calls } = instr.attrs as { kind: string; calls: Computation };
  if (kind !== 'kLoop') return undefined;
  const ok = indexAligned(calls);
  return instr.operands.map((o, j) => calls.params[j] !== undefined && ok.has(calls.params[j]) && sameLayout(o.shape));
}

/**
 * Fused instructions read only at the output element's own index: the root, and anything
 * of the root's dims all of whose users are elementwise and themselves aligned. A
 * broadcast, transpose, slice or reshape on the way breaks it (conservatively for
 * reshape, which keeps row-major order but is not worth the special case).
 */
function indexAligned(c: Computation): Set<Instruction> {
  const out = new Set<Instruction>();
  const root = c.root;
  if (root.shape.kind !== 'array') return out;
  const dims = root.shape.dims;
  const users = usersOf(c);
  out.add(root);
  for (let k = c.instructions.length - 1; k >= 0; k--) {
    const x = c.instructions[k];
    const us = users.get(x) ?? [];
    if (x === root || us.length === 0 || x.shape.kind !== 'array' || !sameDims(x.shape.dims, dims)) continue;
    if (us.every((u) => isElementwise(u.opcode) && out.has(u))) out.add(x);
  }
  return out;
}

/** Groups each in-place chain into one allocation (of the buffers that get a slice). */
function allocations(buffers: LogicalBuffer[], alignment: number): Allocation[] {
  const out: Allocation[] = [];
  const of = new Map<LogicalBuffer, Allocation>();
  for (const b of buffers) {
    const a = b.inPlaceOf && of.get(b.inPlaceOf);
    if (a) {
      a.buffers.push(b);
      a.end = Math.max(a.end, b.end);
      of.set(b, a);
      continue;
    }
    const fresh: Allocation = { buffers: [b], start: b.start, end: b.end, size: roundUp(b.bytes, alignment), offset: 0 };
    out.push(fresh);
    of.set(b, fresh);
  }
  return out;
}

/** Largest first, each into the smallest gap left by allocations live at the same time. */
function packBestFit(allocs: Allocation[]): void {
  const order = [...allocs].sort((a, b) => b.size - a.size || a.start - b.start || a.buffers[0].id - b.buffers[0].id);
  const placed: Allocation[] = [];
  for (const a of order) {
    if (a.size === 0) continue;
    const busy = placed.filter((p) => p.start <= a.end && a.start <= p.end).sort((x, y) => x.offset - y.offset || x.size - y.size);
    a.offset = bestFit(busy, a.size);
    placed.push(a);
  }
}

/** The lowest offset of the smallest gap that holds `size`, or the end of everything busy. */
function bestFit(busy: Allocation[], size: number): number {
  let cursor = 0;
  let best: number | undefined;
  let bestGap = Infinity;
  for (const p of busy) {
    const gap = p.offset - cursor;
    if (gap >= size && gap < bestGap) {
      best = cursor;
      bestGap = gap;
    }
    cursor = Math.max(cursor, p.offset + p.size);
  }
  return best ?? cursor;
}

/** No sharing beyond in-place chains: one slice after another in definition order. */
function packInOrder(allocs: Allocation[]): void {
  let cursor = 0;
  for (const a of allocs) {
    a.offset = cursor;
    cursor += a.size;
  }
}

/** The most aligned bytes temps hold at any one position (an in-place chain counted once). */
function peakTempBytes(allocs: Allocation[], length: number): number {
  const delta = new Array<number>(length + 2).fill(0);
  for (const a of allocs) {
    const temps = a.buffers.filter((b) => b.kind === 'temp');
    for (const [s, e] of mergedRanges(temps)) {
      delta[s] += a.size;
      delta[e + 1] -= a.size;
    }
  }
  let now = 0, peak = 0;
  for (const d of delta) peak = Math.max(peak, (now += d));
  return peak;
}

/** Live ranges of a chain's buffers, overlapping ones merged (they meet where one writes over the other). */
function mergedRanges(bs: LogicalBuffer[]): [number, number][] {
  const out: [number, number][] = [];
  for (const b of [...bs].sort((x, y) => x.start - y.start)) {
    const last = out[out.length - 1];
    if (last && b.start <= last[1]) last[1] = Math.max(last[1], b.end);
    else out.push([b.start, b.end]);
  }
  return out;
}

/** A few lines for people: arena size, what reuse saved, and how the buffers divide up. */
export function formatBufferReport(a: BufferAssignment): string {
  const count = (kind: string) => a.buffers.filter((b) => b.kind === kind).length;
  const inPlace = a.buffers.filter((b) => b.inPlaceOf !== undefined).length;
  return [
    `arena: ${bytes(a.arenaBytes)}, ${a.alignment}-byte aligned; without reuse ${bytes(a.noReuseBytes)}: ${ratio(a.noReuseBytes, a.arenaBytes)}`,
    `intermediates: peak ${bytes(a.peakIntermediateBytes)} of ${bytes(a.intermediateBytes)} in all: ${ratio(a.intermediateBytes, a.peakIntermediateBytes)}`,
    `buffers: ${a.buffers.length} (${count('parameter')} parameter, ${count('constant')} constant, ${count('output')} output, ${count('temp')} temp); ${inPlace} written in place`,
  ].join('\n');
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const [v, unit] = n < 1024 * 1024 ? [n / 1024, 'KiB'] : [n / (1024 * 1024), 'MiB'];
  return `${v.toFixed(1)} ${unit} (${n} B)`;
}

const ratio = (a: number, b: number): string => (b === 0 ? '-' : `${(a / b).toFixed(2)}x`);
