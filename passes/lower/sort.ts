// sort: one kernel, a parallel loop over the rows (every index but the sort dimension),
// each row sorted by the interpreter's algorithm (ir/interpret/sort.ts): a stable
// bottom-up merge sort of a permutation, the comparator computation inlined. Equal keys
// keep their order and every comparison is the one the interpreter makes, so the result
// is the interpreter's bit for bit, NaN and -0 included, whatever the comparator.
//
// The permutation ping-pongs between two halves of a scratch s32 buffer (2·n per row,
// past every other arena buffer); the last pass leaves it in one half, and the operands
// are then gathered through it into the outputs. Sorting indices rather than values
// moves one s32 per step whatever the number and types of the operands.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Stmt } from '../../ir/kernel/kernel.js';
import type { InstructionOf } from '../../ir/module.js';
import { product, strides, type ArrayShape } from '../../ir/shape.js';
import { Emitter } from './emitter.js';
import { elementRule } from './elemental.js';
import { NotCompiled } from './errors.js';
import { KernelBuilder } from './kernel_builder.js';
import type { LoweredKernel } from './loop_kernel.js';
import type { OwnKernelSpec } from './own_kernels.js';
import { computeType, storageType } from './types.js';

/** What a merge pass needs of its row: its scratch, its length, and the comparator. */
interface Row {
  /** Start of the row's two halves of scratch (2·n s32). */
  readonly base: Expr;
  readonly n: number;
  readonly perm: number;
  /** comparator(x[a], x[b]) for row positions a, b: statements to run first, and the pred. */
  readonly less: (a: Expr, b: Expr) => [Stmt[], Expr];
}

export function sortKernels(instr: InstructionOf<'sort'>, spec: OwnKernelSpec): LoweredKernel[] {
  const xs = instr.operands;
  const dims = (xs[0].shape as ArrayShape).dims;
  const dim = instr.attrs.dimensions[0] ?? dims.length - 1;
  if (dim < 0 || dim >= dims.length) throw new NotCompiled(instr, `sort dimension ${dim} out of range`);
  const n = dims[dim], st = strides(dims)[dim], total = product(dims), rows = total / Math.max(n, 1);
  if (2 * total >= 2 ** 31) throw new NotCompiled(instr, 'more than 2^30 elements to sort');
  if (total === 0) return [];

  const kb = new KernelBuilder(spec.constants);
  const ins = xs.map((x) => {
    const ref = spec.inputs.get(x)!;
    return { buf: kb.param(ref.id, ref.name, storageType(ref.shape.dtype), total, 'read'), scalar: computeType(ref.shape.dtype) };
  });
  const outs = spec.outputs.map((o) => kb.param(o.id, o.name, storageType(o.shape.dtype), total, 'write'));
  const passes = Math.ceil(Math.log2(Math.max(n, 1)));
  const em = new Emitter(kb, 1, new Map(), elementRule);
  const r = kb.fresh('row');
  const body: Stmt[] = [];
  const bind = (hint: string, e: Expr): Expr => {
    const name = kb.fresh(hint);
    body.push(k.letStmt(name, e));
    return k.variable(name);
  };
  // Rows are every index but `dim`: outer (before dim) × inner (after it, stride st).
  const rv = k.variable(r);
  const base = bind('base', k.add(k.mul(k.div(rv, st), k.int(n * st)), k.mod(rv, st)));
  const at = (i: Expr): Expr => k.add(base, k.mul(i, k.int(st)));
  const gather = (src: (i: Expr) => Expr): Stmt[] => {
    const i = kb.fresh('i');
    const from = at(src(k.variable(i)));
    return [k.loop(i, 0, n, outs.map((o, j) => k.store(o, at(k.variable(i)), k.load(ins[j].buf, from, ins[j].scalar))))];
  };

  if (passes === 0) body.push(...gather((i) => i));
  else {
    const scratch = spec.scratch(`${instr.name}.perm`, { kind: 'array', dtype: 's32', dims: [rows, 2, n] });
    const perm = kb.param(scratch.id, scratch.name, 's32', 2 * total, 'readwrite');
    const pbase = bind('pbase', k.mul(rv, k.int(2 * n)));
    const less = (a: Expr, b: Expr): [Stmt[], Expr] => em.nested(() =>
      em.inline(instr.attrs.to_apply, ins.flatMap((x) => [k.load(x.buf, at(a), x.scalar), k.load(x.buf, at(b), x.scalar)]))[0]);
    const row: Row = { base: pbase, n, perm, less };
    const i = kb.fresh('i');
    body.push(k.loop(i, 0, n, [k.store(perm, k.add(pbase, k.variable(i)), k.variable(i))]));
    const p = kb.fresh('pass');
    body.push(k.loop(p, 0, passes, mergePass(kb, row, k.variable(p))));
    const last = k.add(pbase, k.int((passes % 2) * n));
    body.push(...gather((i) => k.load(perm, k.add(last, i), 's32')));
  }
  const kernel = kb.finish(spec.name, [k.loop(r, 0, rows, body, 'parallel')], instr.name, { rows, passes });
  return [{ kernel, args: kb.args }];
}

/**
 * Pass p merges runs of width 2^p from one half of the row's scratch into the other,
 * taking from the right run only when its head is strictly less (stability).
 */
function mergePass(kb: KernelBuilder, row: Row, p: Expr): Stmt[] {
  const { n, perm } = row;
  const out: Stmt[] = [];
  const let_ = (hint: string, e: Expr, into: Stmt[] = out): Expr => {
    const name = kb.fresh(hint);
    into.push(k.letStmt(name, e));
    return k.variable(name, e.type);
  };
  const w = let_('w', k.binary('shift-left', k.int(1), p));
  const parity = k.mod(p, 2);
  const src = let_('src', k.add(row.base, k.mul(parity, k.int(n))));
  const dst = let_('dst', k.add(row.base, k.mul(k.sub(k.int(1), parity), k.int(n))));
  const w2 = let_('w2', k.mul(w, k.int(2)));
  const pairs = k.binary('divide', k.add(k.int(n - 1), w2), w2);
  const q = kb.fresh('q');
  const qs: Stmt[] = [];
  const lo = let_('lo', k.mul(k.variable(q), w2), qs);
  const mid = let_('mid', k.min(k.add(lo, w), k.int(n)), qs);
  const hi = let_('hi', k.min(k.add(lo, w2), k.int(n)), qs);
  const i = kb.fresh('a'), j = kb.fresh('b');
  qs.push(k.letStmt(i, lo), k.letStmt(j, mid));
  const iv = k.variable(i), jv = k.variable(j);
  const t = kb.fresh('t');
  const ts: Stmt[] = [];
  const pi = k.load(perm, k.add(src, iv), 's32'), pj = k.load(perm, k.add(src, jv), 's32');
  // right = j < hi && (i >= mid || less(x[perm[j]], x[perm[i]])): the loads only where in range.
  const right = kb.fresh('right');
  ts.push(k.letStmt(right, k.constant('pred', 0)));
  const [cmp, lessJI] = row.less(pj, pi);
  const compareHeads = [...cmp, k.assign(right, lessJI)];
  ts.push(k.ifStmt(k.compare('LT', jv, hi), [k.ifStmt(k.compare('GE', iv, mid), [k.assign(right, k.constant('pred', 1))], compareHeads)]));
  const store = (from: Expr, cursor: string, cv: Expr): Stmt[] => [k.store(perm, k.add(dst, k.variable(t)), from), k.assign(cursor, k.add(cv, k.int(1)))];
  ts.push(k.ifStmt(k.variable(right, { scalar: 'pred', lanes: 1 }), store(pj, j, jv), store(pi, i, iv)));
  qs.push(k.loop(t, lo, hi, ts));
  out.push(k.loop(q, 0, pairs, qs));
  return out;
}
