// Verifier rules for ops kiln keeps but does not compute (async wrappers, dynamic shapes,
// send/recv, infeed, collectives): their written shapes cannot be inferred, but XLA's
// verifier still insists on their form, and so does kiln. Each rule returns the problem
// with the instruction, or undefined.
import type { Instruction } from './module.js';
import type { Opcode } from './opcodes.js';
import { shapeToString, type ArrayShape, type Shape } from './shape.js';

type Rule = (instr: Instruction) => string | undefined;

const fmt = (s: Shape): string => shapeToString(s, { layout: false });
const raw = (instr: Instruction, name: string): string | undefined => instr.raw?.find((r) => r.name === name)?.text;
const isToken = (s: Shape | undefined): boolean => s?.kind === 'array' && s.dtype === 'token';
const isArray = (s: Shape | undefined): s is ArrayShape => s?.kind === 'array';
const isScalar = (s: Shape | undefined, dtype: string): boolean => isArray(s) && s.dtype === dtype && s.dims.length === 0;
/** `{1,2}` as written in a raw attribute. */
const rawInts = (text: string | undefined): number[] | undefined =>
  text === undefined ? undefined : (text.match(/-?\d+/g) ?? []).map(Number);
const elements = (s: ArrayShape): number => s.dims.reduce((a, b) => a * b, 1);

/** get-dimension-size: one operand, an s32[] result, one dimension in range. */
const getDimensionSize: Rule = (instr) => {
  if (instr.operands.length !== 1) return `get-dimension-size takes 1 operand, got ${instr.operands.length}`;
  if (!isScalar(instr.shape, 's32')) return `get-dimension-size returns s32[], not ${fmt(instr.shape)}`;
  const [d] = rawInts(raw(instr, 'dimensions')) ?? [];
  const op = instr.operands[0].shape;
  if (!isArray(op)) return `operand %${instr.operands[0].name} is a tuple`;
  if (d === undefined || d < 0 || d >= op.dims.length) return `dimension ${d ?? '(none)'} is out of range for operand of rank ${op.dims.length}`;
  return undefined;
};

/** dynamic-reshape(operand, size per result dim): same (bounded) element count. */
const dynamicReshape: Rule = (instr) => {
  const [op, ...sizes] = instr.operands;
  const out = instr.shape;
  if (!op) return 'dynamic-reshape needs an operand';
  if (!isArray(out) || !isArray(op.shape)) return 'dynamic-reshape reshapes an array into an array';
  if (sizes.length !== out.dims.length) return `dynamic-reshape to rank ${out.dims.length} takes ${out.dims.length} dimension sizes, got ${sizes.length}`;
  if (elements(op.shape) !== elements(out)) return `dynamic-reshape from ${fmt(op.shape)} (${elements(op.shape)} elements) to ${fmt(out)} (${elements(out)})`;
  return undefined;
};

/** recv: (data, u32[] context, token[]). */
const recv: Rule = (instr) => {
  const s = instr.shape;
  if (s.kind !== 'tuple' || s.elements.length !== 3 || !isScalar(s.elements[1], 'u32') || !isToken(s.elements[2]))
    return `recv returns (data, u32[], token[]), not ${fmt(s)}`;
  return undefined;
};

/** infeed: (data, token[]). */
const infeed: Rule = (instr) => {
  const s = instr.shape;
  if (s.kind !== 'tuple' || s.elements.length !== 2 || !isToken(s.elements[1])) return `infeed returns (data, token[]), not ${fmt(s)}`;
  return undefined;
};

/** all-gather and reduce-scatter work along exactly one dimension. */
const oneDimension: Rule = (instr) => {
  const dims = rawInts(raw(instr, 'dimensions'));
  if (dims && dims.length !== 1) return `${instr.opcode} takes exactly one dimension, got {${dims.join(',')}}`;
  return undefined;
};

/** async-start and async-update: ((operand shapes), result, context...). */
const asyncState: Rule = (instr) => {
  const s = instr.shape;
  if (s.kind !== 'tuple' || s.elements.length < 2) return `${instr.opcode} returns ((operands), result, ...), not ${fmt(s)}`;
  if (s.elements[0].kind !== 'tuple') return `${instr.opcode}'s first element holds the operands as a tuple, not ${fmt(s.elements[0])}`;
  return undefined;
};

/** async-update and async-done continue the op their operand started, on the same thread. */
const asyncContinue: Rule = (instr) => {
  const prev = instr.operands[0];
  if (!prev) return undefined;
  if (prev.opcode === 'async-done') return `operand %${prev.name} is an async-done: the asynchronous op has already finished`;
  if (prev.opcode !== 'async-start' && prev.opcode !== 'async-update') return undefined;
  if (instr.opcode === 'async-update') {
    const form = asyncState(instr);
    if (form) return form;
  }
  const start = startOf(prev);
  // A state passed through a loop (get-tuple-element) hides its start: nothing to compare.
  if (start.opcode !== 'async-start') return undefined;
  const wrapped = (i: Instruction) => i.asyncOf ?? 'async';
  if (wrapped(instr) !== wrapped(start)) return `${wrapped(instr)}-${instr.opcode.slice(6)} continues %${start.name}, a ${wrapped(start)}-start`;
  const callee = (i: Instruction) => raw(i, 'calls')?.replace(/^%/, '');
  if (callee(instr) !== undefined && callee(instr) !== callee(start)) return `calls %${callee(instr)}, but %${start.name} calls %${callee(start)}`;
  // An update or done without a thread of its own inherits the start's.
  const thread = (i: Instruction) => raw(i, 'async_execution_thread') ?? '"main"';
  if (raw(instr, 'async_execution_thread') !== undefined && thread(instr) !== thread(start)) return `runs on thread ${thread(instr)}, but %${start.name} runs on ${thread(start)}`;
  return undefined;
};

function startOf(i: Instruction): Instruction {
  let at = i;
  for (let n = 0; at.opcode === 'async-update' && at.operands[0] && n < 1000; n++) at = at.operands[0];
  return at;
}

const RULES: Partial<Record<Opcode, Rule>> = {
  'get-dimension-size': getDimensionSize,
  'dynamic-reshape': dynamicReshape,
  recv,
  infeed,
  'all-gather': oneDimension,
  'reduce-scatter': oneDimension,
  'async-start': asyncState,
  'async-update': asyncContinue,
  'async-done': asyncContinue,
};

/** The problem with an opaque op's form, if any. */
export function checkOpaqueForm(instr: Instruction): string | undefined {
  return RULES[instr.opcode]?.(instr);
}
