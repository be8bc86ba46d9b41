// Which loop of a kernel a target may spread over threads or invocations, and which
// local arrays may live in registers: facts about the kernel IR every target's
// schedule reads, whatever it then emits.
import type { Expr, Kernel, ScalarType, Stmt } from '../../ir/kernel/kernel.js';
import { unreachable } from '../../ir/kernel/kernel.js';
import { walkExpr } from '../../ir/kernel/walk.js';
import { isStatic } from './invariant.js';

function hasStore(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => s.k === 'store' || (s.k === 'loop' && hasStore(s.loop.body)) || (s.k === 'if' && (hasStore(s.then) || hasStore(s.else))));
}

/**
 * The position in `k.body` of its first top-level `parallel` loop when every buffer
 * store lies inside it: its iterations may then be split over threads while the rest of
 * the body (lets, arrays) runs on each. Undefined otherwise.
 */
export function splittableLoop(k: Kernel): number | undefined {
  const first = k.body.findIndex((s) => s.k === 'loop' && s.loop.mode === 'parallel');
  return first >= 0 && !hasStore(k.body.filter((_, i) => i !== first)) ? first : undefined;
}

export interface LocalArrayUse {
  /** The element type and size of its first declaration. */
  readonly scalar: ScalarType;
  readonly firstSize: number;
  /** The largest size it is declared with. */
  size: number;
  /**
   * Some access after its declaration has an index that is not constant once unrolled
   * loops are (an `unroll` loop with static bounds), or reads or writes four lanes.
   */
  dynamic: boolean;
}

/** Each local array of `k`, by name, with how it is indexed. */
export function localArrayUses(k: Kernel): Map<string, LocalArrayUse> {
  const arrays = new Map<string, LocalArrayUse>();
  const note = (name: string, index: Expr, known: ReadonlySet<string>, lanes: number) => {
    const a = arrays.get(name);
    if (a && (lanes > 1 || !isStatic(index, known))) a.dynamic = true;
  };
  const access = (e: Expr, known: ReadonlySet<string>) => walkExpr(e, (x) => {
    if (x.k === 'local') note(x.array, x.index, known, x.type.lanes);
  });
  const walk = (stmts: readonly Stmt[], known: ReadonlySet<string>): void => {
    for (const s of stmts) {
      switch (s.k) {
        case 'let': case 'assign': access(s.value, known); break;
        case 'store': access(s.index, known); access(s.value, known); break;
        case 'array': {
          const a = arrays.get(s.name);
          if (a) a.size = Math.max(a.size, s.size);
          else arrays.set(s.name, { scalar: s.type, firstSize: s.size, size: s.size, dynamic: false });
          break;
        }
        case 'localStore': access(s.index, known); access(s.value, known); note(s.array, s.index, known, s.value.type.lanes); break;
        case 'loop': {
          const l = s.loop;
          access(l.start, known); access(l.end, known);
          const unrolled = l.mode === 'unroll' && isStatic(l.start, known) && isStatic(l.end, known);
          const inner = new Set(known);
          if (unrolled) inner.add(l.var); else inner.delete(l.var);
          walk(l.body, inner);
          break;
        }
        case 'if': access(s.cond, known); walk(s.then, known); walk(s.else, known); break;
        case 'barrier': break;
        default: unreachable(s);
      }
    }
  };
  walk(k.body, new Set());
  return arrays;
}
