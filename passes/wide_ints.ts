// Which instructions of a module still touch 64-bit integers (s64/u64 results or
// operands), for a target without them (WGSL) to name the one that keeps a kernel off
// the device. Instructions at the entry's boundary are told apart: a 64-bit entry
// parameter read only through a convert to 32 bits (or a saturating clamp with constant
// bounds, then such a convert), and a convert to 64 bits that only the entry's result
// reads, are conversions the host can do while copying inputs in and results out.
import { DTYPES } from '../ir/dtype.js';
import { usersOf, type Computation, type Instruction, type Module } from '../ir/module.js';
import { leaves, shapeToString } from '../ir/shape.js';

export interface WideUse {
  readonly computation: Computation;
  readonly instruction: Instruction;
  /** A host-side conversion at the entry's boundary, not device work. */
  readonly boundary: boolean;
}

const isWideInt = (t: string): boolean => t === 's64' || t === 'u64';
const wideResult = (i: Instruction): boolean => leaves(i.shape).some((s) => isWideInt(s.dtype));
const narrowInt = (i: Instruction): boolean =>
  i.shape.kind === 'array' && !isWideInt(i.shape.dtype) && DTYPES[i.shape.dtype].cls !== 'float';

/** The instruction has a 64-bit integer result or operand. */
export const touchesWideInts = (i: Instruction): boolean => wideResult(i) || i.operands.some(wideResult);

/** Every instruction of m that touches 64-bit integers, in module order. */
export function wideIntUses(m: Module): WideUse[] {
  const out: WideUse[] = [];
  for (const c of m.computations) {
    const boundary = c === m.entry ? entryBoundary(c) : new Set<Instruction>();
    for (const i of c.instructions) if (touchesWideInts(i)) out.push({ computation: c, instruction: i, boundary: boundary.has(i) });
  }
  return out;
}

/** The first instruction that needs 64-bit integers on the device, or undefined when none does. */
export const firstDeviceWideUse = (m: Module): WideUse | undefined => wideIntUses(m).find((u) => !u.boundary);

/** `%name = s64[3] add in %main`: what a target's refusal names. */
export const describeWideUse = (u: WideUse): string =>
  `%${u.instruction.name} = ${shapeToString(u.instruction.shape, { layout: false })} ${u.instruction.opcode} in %${u.computation.name}`;

/** The entry's host-side conversions: narrowing reads of 64-bit parameters, widening writes of results. */
function entryBoundary(c: Computation): Set<Instruction> {
  const users = usersOf(c);
  const only = (i: Instruction, ok: (u: Instruction) => boolean): boolean => (users.get(i) ?? []).every(ok);
  const out = new Set<Instruction>();
  const narrowingConvert = (u: Instruction): boolean => u.opcode === 'convert' && narrowInt(u);
  const saturating = (u: Instruction, p: Instruction): boolean =>
    u.opcode === 'clamp' && u.operands[1] === p && u.operands[0].opcode === 'constant' && u.operands[2].opcode === 'constant' &&
    only(u, narrowingConvert);
  for (const p of c.params) {
    if (!wideResult(p) || p === c.root || !only(p, (u) => narrowingConvert(u) || saturating(u, p))) continue;
    out.add(p);
    for (const u of users.get(p) ?? []) {
      out.add(u);
      if (u.opcode !== 'clamp') continue;
      for (const k of [0, 2]) if (only(u.operands[k], (x) => x.opcode === 'clamp')) out.add(u.operands[k]);
      for (const v of users.get(u) ?? []) out.add(v);
    }
  }
  for (const i of resultEpilogue(c, users)) out.add(i);
  return out;
}

/** Ops the host can apply elementwise to results it read back. */
const EPILOGUE = new Set(['convert', 'select', 'compare', 'broadcast', 'constant', 'tuple']);

/**
 * What only the entry's result reads and only computes from 32-bit values and constants:
 * a convert to 64 bits, a relabelled sentinel widened back (`select(x == INT32_MAX,
 * INT64_MAX, convert(x))`, passes/narrow_int64_relabel.ts), the root tuple. The host does
 * it while copying results out.
 */
function resultEpilogue(c: Computation, users: Map<Instruction, Instruction[]>): Set<Instruction> {
  const e = new Set<Instruction>();
  for (let k = c.instructions.length - 1; k >= 0; k--) {
    const i = c.instructions[k];
    const us = users.get(i) ?? [];
    if (EPILOGUE.has(i.opcode) && (i === c.root || (us.length > 0 && us.every((u) => e.has(u))))) e.add(i);
  }
  // ... and reads no 64-bit value computed on the device.
  for (let changed = true; changed;) {
    changed = false;
    for (const i of e)
      if (i.operands.some((o) => wideResult(o) && !e.has(o))) {
        e.delete(i);
        changed = true;
      }
  }
  return e;
}
