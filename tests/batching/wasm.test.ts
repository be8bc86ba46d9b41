// The batched modules compile: every per-opcode case, vmapped, through kiln's wasm pipeline
// and kernels, against the interpreter on the batched module (within wasm's rounding:
// fused multiply-adds).
import { describe, expect, it } from 'vitest';
import { compile, type TypedArray } from '../../compiler/index.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import type { ArrayLiteral, Literal, TupleLiteral } from '../../ir/literal.js';
import { vmap } from '../../passes/batching/index.js';
import { CASES } from './cases.js';

const TYPED: Record<string, new (xs: ArrayLike<number>) => TypedArray> = {
  f32: Float32Array, s32: Int32Array, u32: Uint32Array, pred: Uint8Array, u8: Uint8Array, s8: Int8Array,
};

function close(got: ArrayLike<number | bigint>, want: ArrayLike<number | bigint>): string | undefined {
  for (let q = 0; q < want.length; q++) {
    const g = Number(got[q]), e = Number(want[q]);
    if (!(Object.is(g, e) || (Number.isNaN(g) && Number.isNaN(e)) || Math.abs(g - e) <= 1e-4 * (1 + Math.abs(e)))) return `[${q}]: ${g} against ${e}`;
  }
  return undefined;
}

const cases = Object.entries(CASES).flatMap(([op, cs]) => (cs ?? []).filter((c) => !c.shapesOnly).map((c, k) => [`${op} #${k}`, c] as const));

describe('batched modules on wasm', () => {
  it.each(cases)('%s', async (_name, cs) => {
    const m = cs.module();
    const b = vmap(m, cs.axes?.[0] ?? m.entry.params.map((p) => (p.shape.kind === 'array' ? 0 : null)), 3);
    const ins = randomInputs(b.entry.params.map((p) => p.shape), 5) as ArrayLiteral[];
    const want: Literal = interpret(b, ins);
    const exe = await compile(b, { backend: 'wasm' });
    try {
      const got = Object.values(await exe.run(Object.fromEntries(exe.inputs.map((t, i) => [t.name, new TYPED[t.dtype](ins[i].data as Float64Array)]))));
      const leaves = (want.shape.kind === 'tuple' ? (want as TupleLiteral).elements : [want]) as ArrayLiteral[];
      leaves.forEach((l, j) => expect(close(got[j].data as ArrayLike<number>, l.data), `output ${j}`).toBeUndefined());
    } finally {
      await exe.dispose();
    }
  });
});
