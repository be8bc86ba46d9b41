// Property-test cases for the data-movement rules.
import type { Opcode } from '../../ir/opcodes.js';
import type { Case } from './harness.js';
import { mod } from './cases_elementwise.js';

export const STRUCTURAL_CASES: Partial<Record<Opcode, Case[]>> = {
  parameter: [{ name: 'parameter', build: mod('p', [[3]], (_c, [x]) => x) }],
  constant: [{ name: 'constant', build: mod('k', [[3]], (c, [x]) => c.multiply(x, c.constantArray('f64', [3], [1, -2, 3]))) }],
  iota: [{ name: 'iota', build: mod('iota', [[2, 3]], (c, [x]) => c.multiply(x, c.convert(c.iota({ kind: 'array', dtype: 's32', dims: [2, 3] }, 1), 'f64'))) }],
  broadcast: [
    { name: 'broadcast', build: mod('b', [[2]], (c, [x]) => c.sine(c.broadcast(x, [3, 2, 4], [1]))) },
    { name: 'broadcast, permuting', build: mod('b', [[2, 3]], (c, [x]) => c.sine(c.broadcast(x, [3, 4, 2], [2, 0]))) },
    { name: 'broadcast scalar', build: mod('b', [[]], (c, [x]) => c.sine(c.broadcast(x, [2, 2], []))) },
  ],
  reshape: [{ name: 'reshape', build: mod('r', [[2, 3]], (c, [x]) => c.sine(c.reshape(x, [3, 2]))) }],
  bitcast: [{ name: 'bitcast', build: mod('bc', [[2, 3]], (c, [x]) => c.sine(c.op('bitcast', [x], {}, { kind: 'array', dtype: 'f64', dims: [6] }))) }],
  transpose: [{ name: 'transpose', build: mod('t', [[2, 3, 4]], (c, [x]) => c.sine(c.transpose(x, [2, 0, 1]))) }],
  reverse: [{ name: 'reverse', build: mod('rev', [[2, 3]], (c, [x]) => c.sine(c.reverse(x, [1]))) }],
  slice: [{ name: 'slice, strided', build: mod('s', [[5, 7]], (c, [x]) => c.sine(c.slice(x, [1, 0], [5, 6], [2, 3]))) }],
  'dynamic-slice': [{
    name: 'dynamic-slice', build: mod('ds', [[5, 4]], (c, [x]) => c.sine(c.dynamicSlice(x, [c.constantScalar('s32', 1), c.constantScalar('s32', 3)], [2, 3]))),
  }],
  'dynamic-update-slice': [{
    name: 'dynamic-update-slice', build: mod('dus', [[5, 4], [2, 2]], (c, [x, u]) => c.sine(c.dynamicUpdateSlice(x, c.multiply(u, u), [c.constantScalar('s32', 2), c.constantScalar('s32', 1)]))),
  }],
  concatenate: [{ name: 'concatenate', build: mod('cat', [[2, 3], [2, 1], [2, 2]], (c, [a, b, d]) => c.sine(c.concatenate([a, b, c.multiply(d, d)], 1))) }],
  pad: [
    { name: 'pad, interior', build: mod('pad', [[3, 2], []], (c, [x, v]) => c.sine(c.pad(x, v, [[1, 2, 1], [0, 1, 0]]))) },
    { name: 'pad, negative', build: mod('pad', [[5, 4], []], (c, [x, v]) => c.sine(c.pad(x, v, [[-1, 2, 1], [1, -2, 0]]))) },
  ],
  tuple: [{ name: 'tuple', build: mod('tup', [[3], [3]], (c, [x, y]) => c.tuple([c.sine(x), c.tuple([c.multiply(x, y), y])])) }],
  'get-tuple-element': [{
    name: 'get-tuple-element', build: mod('gte', [[3], [3]], (c, [x, y]) => {
      const t = c.tuple([c.sine(x), c.multiply(x, y)]);
      return c.add(c.getTupleElement(t, 0), c.cosine(c.getTupleElement(t, 1)));
    }),
  }],
};
