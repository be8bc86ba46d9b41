// ONNX If onto HLO conditional, on the interpreter: outer values read from nested
// branches, compile-time conditions, branches of different shapes, and a 30-deep nest
// that must import fast (no work repeated per level).
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/frontends/onnx/import.js';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral } from '../../ir/literal.js';
import { scalar } from '../../ir/shape.js';
import { BOOL, FLOAT, bool, constant, f32, graph, model, node, opcodes, values, vi } from './build.js';

/**
 * y = c1 ? -(c2 ? x*x + x : x*x - x) : x * k, with x*x and k computed outside the Ifs:
 * the inner branches read a value two scopes out, k is a constant (captured as one).
 */
function nestedIfModel(): Uint8Array {
  const inner = (op: string) => graph(`inner_${op}`, [node(op, ['sq', 'x'], ['r'])], [], [vi('r')]);
  const thenG = graph('then', [
    node('If', ['c2'], ['t'], { then_branch: inner('Add'), else_branch: inner('Sub') }, 'inner_if'),
    node('Neg', ['t'], ['out']),
  ], [], [vi('out')]);
  const elseG = graph('else', [node('Mul', ['x', 'k'], ['out2'])], [], [vi('out2')]);
  return model(graph('g', [
    node('Mul', ['x', 'x'], ['sq']),
    constant('k', [10]),
    node('If', ['c1'], ['y'], { then_branch: thenG, else_branch: elseG }, 'outer_if'),
  ], [vi('c1', BOOL, []), vi('c2', BOOL, []), vi('x', FLOAT, [3])], [vi('y', FLOAT, [3])]));
}

describe('ONNX If', () => {
  it('takes the branch the run-time condition picks, reading outer values from nested branches', () => {
    const m = importOnnx(nestedIfModel()).module;
    expect(opcodes(m).has('conditional')).toBe(true);
    const x = [1, 2, -3];
    const run = (c1: boolean, c2: boolean) => values(interpret(m, [bool(c1), bool(c2), f32([3], x)]));
    expect(run(true, true)).toEqual(x.map((v) => -(v * v + v)));
    expect(run(true, false)).toEqual(x.map((v) => -(v * v - v)));
    expect(run(false, true)).toEqual(x.map((v) => v * 10));
  });

  it('imports only the taken branch when the condition is known, even with shapes that differ', () => {
    const branch = (n: number) => graph(`b${n}`, [constant(`v${n}`, Array(n).fill(n))], [], [vi(`v${n}`)]);
    const m = importOnnx(model(graph('g', [
      node('Constant', [], ['c'], { value: { int64s: [1], dims: [] } }),
      node('Cast', ['c'], ['cb'], { to: BOOL }),
      node('If', ['cb'], ['y'], { then_branch: branch(2), else_branch: branch(3) }),
      node('Add', ['y', 'x'], ['z']),
    ], [vi('x', FLOAT, [2])], [vi('z', FLOAT, [2])]))).module;
    expect(opcodes(m).has('conditional')).toBe(false);
    expect(values(interpret(m, [f32([2], [1, 1])]))).toEqual([3, 3]);
  });

  it('refuses branches of different shapes under a run-time condition, naming the node', () => {
    const branch = (n: number) => graph(`b${n}`, [constant(`v${n}`, Array(n).fill(n))], [], [vi(`v${n}`)]);
    const bytes = model(graph('g', [node('If', ['c'], ['y'], { then_branch: branch(2), else_branch: branch(3) }, 'pick')],
      [vi('c', BOOL, [])], [vi('y')]));
    expect(() => importOnnx(bytes, 'm.onnx')).toThrow(
      /m\.onnx: node 'pick' \(If, opset 13\): output 0 is f32\[2\] in then_branch but f32\[3\] in else_branch/);
  });

  it('names the branch and node inside it when a nested node cannot import', () => {
    const bad = graph('bad', [node('NoSuchOp', ['x'], ['o'])], [], [vi('o')]);
    const ok = graph('ok', [node('Identity', ['x'], ['o2'])], [], [vi('o2')]);
    const bytes = model(graph('g', [node('If', ['c'], ['y'], { then_branch: ok, else_branch: bad }, 'sel')],
      [vi('c', BOOL, []), vi('x', FLOAT, [2])], [vi('y')]));
    expect(() => importOnnx(bytes, 'm.onnx')).toThrow(
      "m.onnx: node 'sel' (If, opset 13) else_branch: node '#0' (NoSuchOp, opset 13): kiln has no lowering for this op");
  });

  /**
   * Level i: if (s > i) { level i+1 } else { x + i }, and x * 2 at the bottom. Every level
   * reads s and x from the top graph, so each capture passes through all levels above.
   */
  function deepIfModel(depth: number): Uint8Array {
    let g = graph('bottom', [constant('two', [2]), node('Mul', ['x', 'two'], ['out_bottom'])], [], [vi('out_bottom')]);
    for (let i = depth - 1; i >= 0; i--) {
      const elseG = graph(`else${i}`, [constant(`k${i}`, [i], []), node('Add', ['x', `k${i}`], [`e${i}`])], [], [vi(`e${i}`)]);
      const level = [constant(`i${i}`, [i], []), node('Greater', ['s', `i${i}`], [`c${i}`]),
        node('If', [`c${i}`], [`out${i}`], { then_branch: g, else_branch: elseG }, `if${i}`)];
      g = graph(`level${i}`, level, [], [vi(`out${i}`)]);
    }
    return model(graph('g', g.node, [vi('s', FLOAT, []), vi('x', FLOAT, [2])], [vi('out0', FLOAT, [2])]));
  }

  it('imports 30 nested Ifs in well under a second and runs the path the input picks', () => {
    const bytes = deepIfModel(30);
    const t0 = performance.now();
    const m = importOnnx(bytes).module;
    const ms = performance.now() - t0;
    // Each subgraph imported once: two branches per level and the entry. Re-importing a
    // subgraph per enclosing level would multiply these (and the time) per level.
    expect(m.computations.length).toBe(2 * 30 + 1);
    // A few ms on an idle machine; the bound leaves room for a loaded one.
    expect(ms).toBeLessThan(1000);
    const run = (s: number) => values(interpret(m, [arrayLiteral(scalar('f32'), [s]), f32([2], [1, 2])]));
    expect(run(5.5)).toEqual([7, 8]); // s > 0..5, not > 6: x + 6
    expect(run(-1)).toEqual([1, 2]); // x + 0
    expect(run(100)).toEqual([2, 4]); // all 30 levels down: x * 2
  });
});
