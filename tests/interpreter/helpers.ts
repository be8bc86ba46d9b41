// Test helpers: literals from plain arrays, modules from HLO text, results as arrays.
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import type { DType } from '../../ir/dtype.js';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral, type ArrayLiteral, type Literal, type TupleLiteral } from '../../ir/literal.js';
import type { Computation, Instruction, Module } from '../../ir/module.js';
import { CANONICAL_STYLE } from '../../ir/module.js';
import { array } from '../../ir/shape.js';

export function lit(dtype: DType, dims: number[], values: ArrayLike<number | bigint | boolean>): ArrayLiteral {
  return arrayLiteral(array(dtype, dims), values);
}

export const f32 = (dims: number[], v: number[]): ArrayLiteral => lit('f32', dims, v);
export const s32 = (dims: number[], v: number[]): ArrayLiteral => lit('s32', dims, v);

/** Parse HLO text and run its entry computation. */
export function run(text: string, ...args: Literal[]): Literal {
  return interpret(parseHlo(text, 'test.hlo'), args);
}

/** The values of an array result, as numbers (or bigints for s64/u64). */
export function vals(l: Literal): (number | bigint)[] {
  if (l.shape.kind !== 'array') throw new Error('expected an array result');
  return Array.from((l as ArrayLiteral).data as ArrayLike<number | bigint>);
}

export function nums(l: Literal): number[] {
  return vals(l).map(Number);
}

export function dims(l: Literal): readonly number[] {
  if (l.shape.kind !== 'array') throw new Error('expected an array result');
  return l.shape.dims;
}

export function elements(l: Literal): readonly Literal[] {
  if (l.shape.kind !== 'tuple') throw new Error('expected a tuple result');
  return (l as TupleLiteral).elements;
}

/**
 * Run one elementwise-style op on array arguments: `unop('negate', 's32', [3], x)`.
 * The result dtype defaults to the first operand's.
 */
export function op(opcode: string, args: ArrayLiteral[], out?: { dtype?: DType; attrs?: string }): Literal {
  const a0 = args[0].shape;
  const shapeText = (dt: DType, d: readonly number[]) => `${dt}[${d.join(',')}]`;
  const params = args.map((a, i) => `  p${i} = ${shapeText(a.shape.dtype, a.shape.dims)} parameter(${i})`).join('\n');
  const resultType = shapeText(out?.dtype ?? a0.dtype, a0.dims);
  const attrs = out?.attrs ? `, ${out.attrs}` : '';
  const text = `HloModule t\nENTRY e {\n${params}\n  ROOT r = ${resultType} ${opcode}(${args.map((_, i) => `p${i}`).join(', ')})${attrs}\n}\n`;
  return run(text, ...args);
}

/** A module built directly from instructions (no parser), for tests of the table itself. */
export function moduleOf(instructions: Instruction[], params: Instruction[] = []): Module {
  const root = instructions[instructions.length - 1];
  const entry: Computation = { name: 'main', instructions, root, isEntry: true, params };
  return { name: 'm', headerAttrs: [], computations: [entry], entry, style: CANONICAL_STYLE };
}

/** Bits of an f32 as an unsigned integer. */
export function f32Bits(x: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x);
  return b.getUint32(0);
}
