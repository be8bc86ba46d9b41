// ONNX Loop and Scan onto HLO while, on the interpreter: trip counts known and not,
// conditions, carried values, scan outputs, the iteration number, control flow nested in
// a body, Scan's axes and directions, and the refusals with the node they name.
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/frontends/onnx/import.js';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral, type Literal, type TupleLiteral } from '../../ir/literal.js';
import { scalar } from '../../ir/shape.js';
import { BOOL, FLOAT, INT64, bool, constant, f32, graph, model, node, opcodes, values, vi } from './build.js';

const i64 = (v: number) => arrayLiteral(scalar('s64'), [BigInt(v)]);
const outputs = (l: Literal): number[][] => (l as TupleLiteral).elements.map(values);

/** Loop body: y += float(i) (and a scan output 2y); cond passes through unchanged. */
function countingBody(scan: boolean): ReturnType<typeof graph> {
  return graph('body', [
    node('Identity', ['cond_in'], ['cond_out']),
    node('Cast', ['i'], ['fi'], { to: FLOAT }),
    node('Add', ['y_in', 'fi'], ['y_out']),
    ...(scan ? [constant('two', [2], []), node('Mul', ['y_out', 'two'], ['scan_out'])] : []),
  ], [vi('i', INT64, []), vi('cond_in', BOOL, []), vi('y_in')], [vi('cond_out'), vi('y_out'), ...(scan ? [vi('scan_out')] : [])]);
}

describe('ONNX Loop', () => {
  it('runs a static trip count with a carried value and a scan output, reading the iteration number', () => {
    const m = importOnnx(model(graph('g', [
      constant('M', [4], [], true),
      node('Loop', ['M', '', 'y'], ['y_final', 'ys'], { body: countingBody(true) }),
    ], [vi('y', FLOAT, [2])], [vi('y_final'), vi('ys')]))).module;
    expect(opcodes(m).has('while')).toBe(true);
    const [final, ys] = outputs(interpret(m, [f32([2], [1, 10])]));
    expect(final).toEqual([7, 16]); // + 0 + 1 + 2 + 3
    expect(ys).toEqual([2, 20, 4, 22, 8, 26, 14, 32]);
  });

  it('runs a trip count known only at run time when there are no scan outputs', () => {
    const m = importOnnx(model(graph('g', [node('Loop', ['M', 'c', 'y'], ['y_final'], { body: countingBody(false) })],
      [vi('M', INT64, []), vi('c', BOOL, []), vi('y', FLOAT, [1])], [vi('y_final')]))).module;
    const run = (n: number, c: boolean) => values(interpret(m, [i64(n), bool(c), f32([1], [0.5])]));
    expect(run(3, true)).toEqual([3.5]);
    expect(run(0, true)).toEqual([0.5]);
    expect(run(5, false)).toEqual([0.5]); // cond false: no iteration
  });

  it('runs a while loop on its condition alone, reading an outer value in the body', () => {
    const body = graph('body', [
      constant('two', [2], []),
      node('Mul', ['x_in', 'two'], ['x_out']),
      node('ReduceSum', ['x_out'], ['s'], { keepdims: 0 }),
      node('Less', ['s', 'limit'], ['cond_out']),
    ], [vi('i', INT64, []), vi('cond_in', BOOL, []), vi('x_in')], [vi('cond_out'), vi('x_out')]);
    const m = importOnnx(model(graph('g', [
      node('ReduceSum', ['x'], ['s0'], { keepdims: 0 }),
      node('Less', ['s0', 'limit'], ['c0']),
      node('Loop', ['', 'c0', 'x'], ['x_final'], { body }),
    ], [vi('x', FLOAT, [2]), vi('limit', FLOAT, [])], [vi('x_final')]))).module;
    const run = (x: number[], limit: number) => values(interpret(m, [f32([2], x), arrayLiteral(scalar('f32'), [limit])]));
    expect(run([1, 1], 10)).toEqual([8, 8]);
    expect(run([1, 1], 1)).toEqual([1, 1]);
  });

  it('runs an If nested in its body', () => {
    // y = i even ? y + 1 : y * 2, four times.
    const inc = graph('inc', [constant('one', [1], []), node('Add', ['y_in', 'one'], ['a'])], [], [vi('a')]);
    const dbl = graph('dbl', [constant('two', [2], []), node('Mul', ['y_in', 'two'], ['d'])], [], [vi('d')]);
    const body = graph('body', [
      node('Identity', ['cond_in'], ['cond_out']),
      constant('two_i', [2], [], true), constant('zero_i', [0], [], true),
      node('Mod', ['i', 'two_i'], ['r']), node('Equal', ['r', 'zero_i'], ['even']),
      node('If', ['even'], ['y_out'], { then_branch: inc, else_branch: dbl }),
    ], [vi('i', INT64, []), vi('cond_in', BOOL, []), vi('y_in')], [vi('cond_out'), vi('y_out')]);
    const m = importOnnx(model(graph('g', [constant('M', [4], [], true), node('Loop', ['M', '', 'y'], ['y_final'], { body })],
      [vi('y', FLOAT, [1])], [vi('y_final')]))).module;
    expect(values(interpret(m, [f32([1], [1])]))).toEqual([10]); // 2, 4, 5, 10
  });

  it('refuses scan outputs without a static trip count, naming the node', () => {
    const bytes = model(graph('g', [node('Loop', ['M', '', 'y'], ['y_final', 'ys'], { body: countingBody(true) }, 'L')],
      [vi('M', INT64, []), vi('y', FLOAT, [2])], [vi('y_final'), vi('ys')]));
    expect(() => importOnnx(bytes, 'm.onnx')).toThrow(
      "m.onnx: node 'L' (Loop, opset 13): scan outputs need a static trip count: input 0 (M) must be known at compile time");
  });

  it('refuses scan outputs when the condition may end the loop early', () => {
    const bytes = model(graph('g', [constant('M', [4], [], true), node('Loop', ['M', 'c', 'y'], ['y_final', 'ys'], { body: countingBody(true) }, 'L')],
      [vi('c', BOOL, []), vi('y', FLOAT, [2])], [vi('y_final'), vi('ys')]));
    expect(() => importOnnx(bytes, 'm.onnx')).toThrow(/node 'L' \(Loop, opset 13\): scan outputs need the loop to run exactly M times/);
  });

  it('refuses a loop with neither a trip count nor a condition', () => {
    const bytes = model(graph('g', [node('Loop', ['', '', 'y'], ['y_final'], { body: countingBody(false) }, 'L')],
      [vi('y', FLOAT, [2])], [vi('y_final')]));
    expect(() => importOnnx(bytes, 'm.onnx')).toThrow(/node 'L' \(Loop, opset 13\): has neither a trip count nor a condition/);
  });

  it('refuses a carried value whose shape changes, naming the node', () => {
    const body = graph('body', [node('Identity', ['cond_in'], ['cond_out']), node('Concat', ['y_in', 'y_in'], ['y_out'], { axis: 0 })],
      [vi('i', INT64, []), vi('cond_in', BOOL, []), vi('y_in')], [vi('cond_out'), vi('y_out')]);
    const bytes = model(graph('g', [constant('M', [2], [], true), node('Loop', ['M', '', 'y'], ['y_final'], { body }, 'grow')],
      [vi('y', FLOAT, [2])], [vi('y_final')]));
    expect(() => importOnnx(bytes, 'm.onnx')).toThrow(/node 'grow' \(Loop, opset 13\): loop-carried value 0 starts as f32\[2\] but the body returns f32\[4\]/);
  });
});

describe('ONNX Scan', () => {
  it('scans along input and output axes in both directions', () => {
    // s += a_t * b_t; a scanned forward on axis 0, b backward on axis 1; the running
    // sums are written backward and stacked on output axis 1.
    const body = graph('body', [node('Mul', ['a_t', 'b_t'], ['p']), node('Add', ['s_in', 'p'], ['s_out']), node('Identity', ['s_out'], ['o'])],
      [vi('s_in'), vi('a_t'), vi('b_t')], [vi('s_out'), vi('o')]);
    const m = importOnnx(model(graph('g', [node('Scan', ['s', 'a', 'b'], ['s_final', 'outs'], {
      body, num_scan_inputs: 2, scan_input_axes: [0, 1], scan_input_directions: [0, 1],
      scan_output_axes: [1], scan_output_directions: [1],
    })], [vi('s', FLOAT, [2]), vi('a', FLOAT, [3, 2]), vi('b', FLOAT, [2, 3])], [vi('s_final'), vi('outs')]))).module;
    const a = [1, 2, 3, 4, 5, 6], b = [1, 2, 3, 4, 5, 6]; // a rows [1,2],[3,4],[5,6]; b columns [1,4],[2,5],[3,6]
    const [sFinal, outs] = outputs(interpret(m, [f32([2], [0, 0]), f32([3, 2], a), f32([2, 3], b)]));
    const sums: number[][] = [];
    let s = [0, 0];
    for (let t = 0; t < 3; t++) {
      const col = 2 - t; // b read backward
      s = [s[0] + a[2 * t] * b[col], s[1] + a[2 * t + 1] * b[3 + col]];
      sums.push(s);
    }
    expect(sFinal).toEqual(s);
    // outs[d][r] = sums[2 - r][d]: rows written backward, then moved to axis 1.
    expect(outs).toEqual([0, 1].flatMap((d) => [0, 1, 2].map((r) => sums[2 - r][d])));
  });

  it("runs opset 8's batched form, one scan per batch element", () => {
    // Per batch element b: s += x_t over its 3 steps, read backward; the sums stacked.
    const body = graph('body', [node('Add', ['s_in', 'x_t'], ['s_out']), node('Identity', ['s_out'], ['o'])],
      [vi('s_in'), vi('x_t')], [vi('s_out'), vi('o')]);
    const m = importOnnx(model(graph('g', [node('Scan', ['', 's', 'x'], ['s_final', 'sums'], { body, num_scan_inputs: 1, directions: [1] })],
      [vi('s', FLOAT, [2, 1]), vi('x', FLOAT, [2, 3, 1])], [vi('s_final'), vi('sums')]), 8)).module;
    const [sFinal, sums] = outputs(interpret(m, [f32([2, 1], [0, 100]), f32([2, 3, 1], [1, 2, 3, 4, 5, 6])]));
    expect(sFinal).toEqual([6, 115]);
    expect(sums).toEqual([3, 5, 6, 106, 111, 115]);
  });

  it('refuses scan inputs of different lengths, naming the node', () => {
    const body = graph('body', [node('Add', ['a_t', 'b_t'], ['o'])], [vi('a_t'), vi('b_t')], [vi('o')]);
    const bytes = model(graph('g', [node('Scan', ['a', 'b'], ['outs'], { body, num_scan_inputs: 2 }, 'S')],
      [vi('a', FLOAT, [3, 2]), vi('b', FLOAT, [4, 2])], [vi('outs')]));
    expect(() => importOnnx(bytes, 'm.onnx')).toThrow(/node 'S' \(Scan, opset 13\): scan input 1 has 4 rows along its scan axis, the first has 3/);
  });
});
