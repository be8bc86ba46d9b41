// WGSL helper functions a shader calls (XLA semantics WGSL does not have, storage
// conversions, memory access), emitted only when used, each after the helpers it calls.
//
// Most helpers are branch-free (select, not if) so one text serves scalars and 4-lane
// vectors: it is written over type names (F, I, U, B = f32, i32, u32, bool or their vec4
// forms) and constructors (`U(16u)` is `u32(16u)` or a splat `vec4<u32>(16u)`). Helpers
// with loops are scalar; their vector form applies the scalar one to each lane.
import type { Lanes } from '../../ir/kernel/kernel.js';

/** Type names of one form: scalar or 4-lane vector. */
export interface Form {
  readonly F: string;
  readonly I: string;
  readonly U: string;
  readonly B: string;
  /** `_v4` for the vector form, '' for the scalar one. */
  readonly suffix: string;
}

export const SCALAR_FORM: Form = { F: 'f32', I: 'i32', U: 'u32', B: 'bool', suffix: '' };
export const VECTOR_FORM: Form = { F: 'vec4<f32>', I: 'vec4<i32>', U: 'vec4<u32>', B: 'vec4<bool>', suffix: '_v4' };

export interface HelperDef {
  /** Helpers this one calls, each in the same form (`name`) or a fixed one (`name:s`). */
  readonly deps?: readonly string[];
  /** The function's text; `name` is its full name (with the form's suffix). */
  readonly text: (t: Form, name: string) => string;
  /**
   * Scalar-only helpers: parameter and result type letters (F/I/U/B); the vector form is
   * generated to apply the scalar form lane by lane.
   */
  readonly lanewise?: { readonly params: readonly string[]; readonly result: string };
}

/** The helpers one shader uses, in an order where each comes after what it calls. */
export class Helpers {
  private readonly emitted = new Map<string, string>();

  constructor(private readonly defs: ReadonlyMap<string, HelperDef>) {}

  /** The WGSL name of helper `name` in the form of `lanes`, emitting it on first use. */
  use(name: string, lanes: Lanes = 1): string {
    const form = lanes === 4 ? VECTOR_FORM : SCALAR_FORM;
    const full = `kiln_${name}${form.suffix}`;
    if (this.emitted.has(full)) return full;
    const def = this.defs.get(name);
    if (!def) throw new Error(`wgsl: no helper '${name}'`);
    if (def.lanewise && lanes === 4) {
      const scalar = this.use(name, 1);
      this.emitted.set(full, lanewiseText(full, scalar, def.lanewise.params, def.lanewise.result));
      return full;
    }
    for (const d of def.deps ?? []) {
      const [dep, fixed] = d.split(':');
      this.use(dep, fixed === 's' ? 1 : lanes);
    }
    this.emitted.set(full, def.text(form, full));
    return full;
  }

  /** The text of every helper used, in order. */
  render(): string {
    return [...this.emitted.values()].join('\n\n');
  }
}

function lanewiseText(name: string, scalar: string, params: readonly string[], result: string): string {
  const type = (l: string) => (VECTOR_FORM as unknown as Record<string, string>)[l];
  const args = params.map((p, i) => `${String.fromCharCode(97 + i)}: ${type(p)}`).join(', ');
  const lane = (c: string) => `${scalar}(${params.map((_, i) => `${String.fromCharCode(97 + i)}.${c}`).join(', ')})`;
  return `fn ${name}(${args}) -> ${type(result)} {\n  return ${type(result)}(${['x', 'y', 'z', 'w'].map(lane).join(', ')});\n}`;
}
