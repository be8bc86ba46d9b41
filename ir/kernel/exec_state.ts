// What the reference executor's compiled closures share: the options a run was asked
// for, and the state of the launch in progress (bound buffers, the race records, the
// order generator). Compilation happens once per program; a launch only rebinds this.
import type { Scalar } from '../scalar/value.js';
import type { KernelParam } from './kernel.js';
import { Races, Tracker } from './races.js';
import { DEFAULT_SEED, seededRandom } from './shuffle.js';

/** How the reference executor runs parallel loops (docs/kernel-ir.md, "The reference executor"). */
export interface ExecOptions {
  /** A parallel loop's iterations run 'shuffled' (the default, seeded) or 'inOrder'. */
  readonly order?: 'shuffled' | 'inOrder';
  /** The shuffle's seed; the same seed gives the same order. Default DEFAULT_SEED. */
  readonly seed?: number;
  /** Report two invocations of one launch touching one element, one of them writing, in one barrier phase. Default true. */
  readonly races?: boolean;
  /** Also report two invocations writing different 8/16-bit elements of one 32-bit word (WGSL stores words). Default false. */
  readonly wordRaces?: boolean;
  /**
   * Two invocations writing the same bytes to one element: 'allow' (the default; every
   * target keeps one of two identical values, and tiled lowering's overlapping last tile
   * computes its overlap twice on purpose) or 'report' as a race.
   */
  readonly identicalWrites?: 'allow' | 'report';
}

export type ResolvedOptions = Required<ExecOptions>;

export function resolveOptions(o: ExecOptions = {}): ResolvedOptions {
  const wordRaces = o.wordRaces ?? false;
  return {
    order: o.order ?? 'shuffled', seed: o.seed ?? DEFAULT_SEED, races: (o.races ?? true) || wordRaces, wordRaces,
    identicalWrites: o.identicalWrites ?? 'allow',
  };
}

export class KernelOutOfBounds extends Error {
  override name = 'KernelOutOfBounds';
}

/** A scalar is a number, or a bigint for s64/u64 (as in the HLO interpreter); vectors are arrays. */
export type Value = Scalar | Scalar[];
/** Variables and local arrays live in slots resolved at compile time. */
export type Env = Value[];
export type Fn = (env: Env) => Value;
export type Run = (env: Env) => void;
/** A statement that may wait at a barrier: it yields the barrier's number. */
export type GenRun = (env: Env) => Generator<number, void, undefined>;

/** A kernel parameter bound to memory for one launch. */
export interface BoundParam {
  readonly param: KernelParam;
  readonly view: DataView;
  /** Byte offset of element 0 in `view`. */
  readonly base: number;
  readonly elementBytes: number;
  /** Identifies the memory, so that two parameters over one buffer share race records. */
  readonly memory: string;
  /** Bytes of that memory (parameters over one buffer may view less of it). */
  readonly memoryBytes: number;
}

/** The launch in progress, as the compiled closures of one kernel see it. */
export class LaunchState {
  params: BoundParam[] = [];
  /** Race records of this launch; undefined when races are not checked. */
  races: Races | undefined;
  private trackers: (Tracker | undefined)[] = [];
  private byMemory = new Map<string, Tracker>();
  private locals = new WeakMap<Scalar[], Tracker>();

  constructor(
    readonly kernel: string,
    readonly opts: ResolvedOptions,
    /** The shuffle's generator, shared by every launch of a run; undefined runs in order. */
    readonly next: (() => number) | undefined,
  ) {}

  begin(params: BoundParam[]): void {
    this.params = params;
    this.races = this.opts.races ? new Races(this.kernel) : undefined;
    this.trackers = [];
    this.byMemory = new Map();
    this.locals = new WeakMap();
  }

  /** The records of buffer parameter `buf`, shared with any parameter over the same memory (start and size) and element width. */
  tracker(buf: number): Tracker {
    const t = this.trackers[buf];
    if (t) return t;
    const p = this.params[buf];
    const key = `${p.memory}:${p.memoryBytes}:${p.elementBytes}`;
    let m = this.byMemory.get(key);
    if (!m) this.byMemory.set(key, (m = new Tracker(`buffer ${p.param.name}`, Math.floor(p.memoryBytes / p.elementBytes))));
    return (this.trackers[buf] = m);
  }

  /** The records of a shared workgroup array. */
  localTracker(a: Scalar[], name: string): Tracker {
    let t = this.locals.get(a);
    if (!t) this.locals.set(a, (t = new Tracker(`workgroup array ${name}`, a.length)));
    return t;
  }
}

/** The generator a run's launches share: seeded once, so the whole run replays from its seed. */
export function orderGenerator(o: ResolvedOptions): (() => number) | undefined {
  return o.order === 'shuffled' ? seededRandom(o.seed) : undefined;
}
