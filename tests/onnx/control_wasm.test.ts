// The control-flow models of control_flow.test.ts and loop_scan.test.ts on wasm, where
// while and conditional are loops and branches of the module's own run function: each
// must give the interpreter's answer.
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/frontends/onnx/import.js';
import { wasmBackend } from '../../compiler/wasm_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import type { ArrayLiteral, Literal, TupleLiteral } from '../../ir/literal.js';
import { BOOL, FLOAT, INT64, bool, constant, f32, graph, model, node, vi } from './build.js';

const leaves = (l: Literal): number[] =>
  l.shape.kind === 'tuple' ? (l as TupleLiteral).elements.flatMap(leaves) : Array.from((l as ArrayLiteral).data as ArrayLike<number>, Number);

const ifModel = model(graph('g', [
  node('If', ['c'], ['y'], {
    then_branch: graph('t', [node('Mul', ['x', 'x'], ['a'])], [], [vi('a')]),
    else_branch: graph('e', [node('Neg', ['x'], ['b'])], [], [vi('b')]),
  }),
], [vi('c', BOOL, []), vi('x', FLOAT, [3])], [vi('y')]));

const loopModel = model(graph('g', [
  constant('M', [3], [], true),
  node('Loop', ['M', '', 'y'], ['y_final', 'ys'], {
    body: graph('body', [
      node('Identity', ['cond_in'], ['cond_out']), node('Cast', ['i'], ['fi'], { to: FLOAT }),
      node('Add', ['y_in', 'fi'], ['y_out']), node('Identity', ['y_out'], ['scan_out']),
    ], [vi('i', INT64, []), vi('cond_in', BOOL, []), vi('y_in')], [vi('cond_out'), vi('y_out'), vi('scan_out')]),
  }),
], [vi('y', FLOAT, [2])], [vi('y_final'), vi('ys')]));

const scanModel = model(graph('g', [
  node('Scan', ['s', 'xs'], ['s_final', 'sums'], {
    body: graph('body', [node('Add', ['s_in', 'x_t'], ['s_out']), node('Identity', ['s_out'], ['o'])], [vi('s_in'), vi('x_t')], [vi('s_out'), vi('o')]),
    num_scan_inputs: 1, scan_input_directions: [1],
  }),
], [vi('s', FLOAT, [2]), vi('xs', FLOAT, [3, 2])], [vi('s_final'), vi('sums')]));

const CASES = [
  { name: 'If', bytes: ifModel, args: [[bool(true), f32([3], [1, 2, 3])], [bool(false), f32([3], [1, 2, 3])]] },
  { name: 'Loop', bytes: loopModel, args: [[f32([2], [1, 2])]] },
  { name: 'Scan', bytes: scanModel, args: [[f32([2], [0, 1]), f32([3, 2], [1, 2, 3, 4, 5, 6])]] },
];

describe('ONNX control flow on wasm', () => {
  for (const { name, bytes, args } of CASES)
    it(`${name}: matches the interpreter`, async () => {
      const m = importOnnx(bytes).module;
      const run = await wasmBackend.prepare(m);
      for (const a of args) expect(leaves(await run.run(a))).toEqual(leaves(interpret(m, a)));
    }, 120_000);
});
