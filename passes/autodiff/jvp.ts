// Forward mode: copy the forward computation and, alongside each varying instruction,
// emit its tangent from its operands' tangents through the instruction's rule.
import type { Instruction, Module } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import { isFloat } from '../../ir/dtype.js';
import { type DiffOptions, copyForward, finishModule, isZero, leafCots, leafValues, prepare, ruleFor, startOutput, variedSet } from './core.js';
import type { Cot, JvpCtx } from './types.js';

export function jvpModule(input: Module, opts: DiffOptions = {}): Module {
  const { src, m, wrt } = prepare(input, opts);
  const e = startOutput(m);
  const fwd = copyForward(src, e);
  const tan = new Map<Instruction, Cot>();
  for (const n of wrt) tan.set(src.params[n], e.c.parameter(src.params[n].shape, `t_${src.params[n].name}`));
  const varied = variedSet(src, wrt);
  for (const i of src.instructions) {
    if (i.opcode === 'parameter' || !varied.has(i)) continue;
    const t = i.operands.map((o) => tan.get(o));
    if (t.every(isZero)) continue;
    const x = fwd.get(i)!;
    const c: JvpCtx<Opcode> = { e, x, attrs: x.attrs, ops: x.operands, t: t.map((v) => (isZero(v) ? undefined : v)) };
    const out = ruleFor(i).jvp(c);
    if (out !== undefined) tan.set(i, out);
  }
  const root = fwd.get(src.root)!;
  const outs = leafValues(e, root);
  const tans = leafCots(tan.get(src.root), src.root.shape, e);
  const floatTans = outs.flatMap((o, k) => (o.shape.kind === 'array' && isFloat(o.shape.dtype) ? [e.materialize(tans[k], o.shape)] : []));
  return finishModule(m, e, e.c.tuple([...outs, ...floatTans]), 'jvp');
}
