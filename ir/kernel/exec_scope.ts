// The reference executor's compile-time scope: where each variable and local array
// lives, how deep in parallel loops the statement being compiled sits, and the checked
// accessors that loads and stores share (bounds, and race records inside parallel loops).
import type { Scalar } from '../scalar/value.js';
import { convertValue } from '../scalar/convert.js';
import { writeElement } from '../scalar/elements.js';
import type { Kernel, ScalarType } from './kernel.js';
import { KernelOutOfBounds, type BoundParam, type LaunchState, type Value } from './exec_state.js';

export interface ArrayInfo {
  readonly slot: number;
  readonly scope: 'private' | 'workgroup';
  /** Parallel loops around its declaration. */
  readonly depth: number;
}

export class Scope {
  readonly slots = new Map<string, number>();
  readonly arrays = new Map<string, ArrayInfo>();
  private nextSlot = 0;
  /** Parallel loops around the statement being compiled. */
  depth = 0;
  /** Barriers compiled so far (a barrier's number in messages is its place in the kernel). */
  barriers = 0;

  constructor(readonly kernel: Kernel, readonly st: LaunchState) {}

  slotOf(name: string, define: boolean): number {
    let s = this.slots.get(name);
    if (s === undefined) {
      if (!define) throw new Error(`${this.kernel.name}: variable '${name}' used before it is defined`);
      s = this.nextSlot++;
      this.slots.set(name, s);
    }
    return s;
  }

  declareArray(name: string, scope: 'private' | 'workgroup'): number {
    const slot = this.nextSlot++;
    this.arrays.set(name, { slot, scope, depth: this.depth });
    return slot;
  }

  array(name: string): ArrayInfo {
    const a = this.arrays.get(name);
    if (a === undefined) throw new Error(`${this.kernel.name}: array '${name}' used before it is declared`);
    return a;
  }

  /** Whether loads and stores compiled now record races (inside a parallel loop, when asked). */
  get tracking(): boolean {
    return this.depth > 0 && this.st.opts.races;
  }

  /** Whether accesses to array `a` compiled now may race: a workgroup array declared outside the current parallel loop. */
  sharedArray(a: ArrayInfo): boolean {
    return this.tracking && a.scope === 'workgroup' && a.depth < this.depth;
  }

  /** Buffer parameter `buf`, checked for elements i..i+lanes-1. */
  access(buf: number, i: number, lanes: number): BoundParam {
    const p = this.st.params[buf];
    if (!p) throw new KernelOutOfBounds(`${this.kernel.name}: no buffer parameter ${buf}`);
    if (!(i >= 0 && i + lanes <= p.param.size))
      throw new KernelOutOfBounds(`${this.kernel.name}: ${p.param.name}[${i}${lanes > 1 ? `..${i + lanes - 1}` : ''}] is outside 0..${p.param.size - 1}`);
    return p;
  }

  /** Local array `name` in `a`, checked for elements i..i+lanes-1. */
  checkLocal(a: Scalar[], name: string, i: number, lanes: number): void {
    if (!(i >= 0 && i + lanes <= a.length)) throw new KernelOutOfBounds(`${this.kernel.name}: ${name}[${i}] is outside 0..${a.length - 1}`);
  }

  /** Records a read of elements i..i+lanes-1 of buffer parameter `buf`. */
  recordRead(buf: number, i: number, lanes: number): void {
    const races = this.st.races!, t = this.st.tracker(buf);
    for (let l = 0; l < lanes; l++) races.read(t, i + l);
  }

  /** Records a write of `x` (of compute type `scalar`) at elements i..i+lanes-1 of `p` (parameter `buf`), and of their words when asked. */
  recordWrite(buf: number, p: BoundParam, i: number, x: Value, scalar: ScalarType): void {
    const races = this.st.races!, t = this.st.tracker(buf);
    const lanes = Array.isArray(x) ? x.length : 1;
    for (let l = 0; l < lanes; l++) {
      const w = races.write(t, i + l);
      if (w !== 0 && !(this.st.opts.identicalWrites === 'allow' && sameBytes(p, i + l, Array.isArray(x) ? x[l] : x, scalar)))
        throw races.writeWrite(t, i + l, w);
    }
    if (!this.st.opts.wordRaces || p.elementBytes >= 4) return;
    const first = p.base >>> 2, words = ((p.base + p.memoryBytes + 3) >>> 2) - first;
    for (let l = 0; l < lanes; l++) races.writeWord(t, ((p.base + (i + l) * p.elementBytes) >>> 2) - first, i + l, words);
  }

  /** Records a read (x undefined) or a write of `x` at elements i..i+lanes-1 of a shared workgroup array. */
  recordLocal(a: Scalar[], name: string, i: number, lanes: number, x?: Value): void {
    const races = this.st.races!, t = this.st.localTracker(a, name);
    for (let l = 0; l < lanes; l++) {
      if (x === undefined) { races.read(t, i + l); continue; }
      const w = races.write(t, i + l), v = Array.isArray(x) ? x[l] : x;
      if (w !== 0 && !(this.st.opts.identicalWrites === 'allow' && Object.is(a[i + l], v))) throw races.writeWrite(t, i + l, w);
    }
  }
}

const scratch = new DataView(new ArrayBuffer(8));

/** Whether storing `v` at element e of `p` would leave its bytes as they are. */
function sameBytes(p: BoundParam, e: number, v: Scalar, scalar: ScalarType): boolean {
  writeElement(scratch, 0, p.param.dtype, convertValue(v, scalar, p.param.dtype));
  const at = p.base + e * p.elementBytes;
  for (let b = 0; b < p.elementBytes; b++) if (scratch.getUint8(b) !== p.view.getUint8(at + b)) return false;
  return true;
}
