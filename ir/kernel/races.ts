// Race detection for the reference executor. A `parallel` loop's iterations are
// invocations that a GPU runs at once; two of them touching one element, one of them
// writing, with no barrier between, is a data race: the kernel's result depends on an
// order no target promises. The executor records, per element, who last wrote it and
// who read it, and asks `concurrent` whether the earlier access and this one could
// have run at the same time.
//
// Who is a *position*: one invocation during one barrier phase. Positions form a tree:
// an invocation that runs a nested parallel loop is the parent of that loop's
// invocations. Two positions are concurrent when, below their nearest common ancestor,
// they are different iterations of one execution of one parallel loop, in the same
// phase of it. Everything else is ordered: one agent's program order, a parent before
// and after its nested loop (which joins), two loop executions one after the other, and
// phases split by a barrier.

/** A data race between two invocations of one launch, found by the reference executor. */
export class KernelRace extends Error {
  override name = 'KernelRace';
}

const GROW = 1024;

/** Positions: one per (invocation, barrier phase), numbered from 1; 0 means no invocation. */
export class Agents {
  parent = new Int32Array(GROW);
  instance = new Int32Array(GROW);
  iter = new Int32Array(GROW);
  phase = new Int32Array(GROW);
  depth = new Int32Array(GROW);
  private n = 1;
  /** The loop variable of each parallel loop execution, for messages. */
  private readonly loopVars: string[] = [];

  /** A new execution of the parallel loop over `loopVar`. */
  newInstance(loopVar: string): number {
    this.loopVars.push(loopVar);
    return this.loopVars.length - 1;
  }

  /** The position of iteration `iter` of loop execution `instance` in barrier phase `phase`. */
  add(parent: number, instance: number, iter: number, phase: number): number {
    if (this.n === this.parent.length) this.grow();
    const p = this.n++;
    this.parent[p] = parent;
    this.instance[p] = instance;
    this.iter[p] = iter;
    this.phase[p] = phase;
    this.depth[p] = parent === 0 ? 1 : this.depth[parent] + 1;
    return p;
  }

  /** Whether positions a and b (a ≠ b) could run at the same time. */
  concurrent(a: number, b: number): boolean {
    // siblings(), inlined: this runs for most recorded accesses and must not allocate.
    const { parent, depth } = this;
    while (depth[a] > depth[b]) a = parent[a];
    while (depth[b] > depth[a]) b = parent[b];
    while (parent[a] !== parent[b]) { a = parent[a]; b = parent[b]; }
    return a !== b && this.instance[a] === this.instance[b] && this.iter[a] !== this.iter[b] && this.phase[a] === this.phase[b];
  }

  /** a and b lifted to the children of their nearest common ancestor (equal when one contains the other). */
  siblings(a: number, b: number): [number, number] {
    const { parent, depth } = this;
    while (depth[a] > depth[b]) a = parent[a];
    while (depth[b] > depth[a]) b = parent[b];
    while (parent[a] !== parent[b]) { a = parent[a]; b = parent[b]; }
    return [a, b];
  }

  loopVar(p: number): string {
    return this.loopVars[this.instance[p]];
  }

  /** `v=3` steps from the outermost parallel loop down to p. */
  path(p: number): string {
    const steps: string[] = [];
    for (; p !== 0; p = this.parent[p]) steps.unshift(`${this.loopVar(p)}=${this.iter[p]}`);
    return steps.join(', ');
  }

  private grow(): void {
    const g = (a: Int32Array): Int32Array<ArrayBuffer> => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
    this.parent = g(this.parent);
    this.instance = g(this.instance);
    this.iter = g(this.iter);
    this.phase = g(this.phase);
    this.depth = g(this.depth);
  }
}

/**
 * What the executor remembers about one memory (a buffer, or a shared workgroup array)
 * during one launch: per element, the last writer's position and a reader's (negative:
 * two concurrent readers, the second in `reader2`); per 32-bit word, its last writer.
 */
export class Tracker {
  readonly writer: Int32Array;
  readonly reader: Int32Array;
  reader2: Int32Array | undefined;
  wordWriter: Int32Array | undefined;
  wordElement: Int32Array | undefined;

  /** `what` names the memory in messages: "buffer y", "workgroup array sums". */
  constructor(readonly what: string, size: number) {
    this.writer = new Int32Array(size);
    this.reader = new Int32Array(size);
  }
}

/** The checks, over one launch's positions; `kernel` names the kernel in messages. */
export class Races {
  readonly agents = new Agents();
  /** The position running now (0 outside every parallel loop). */
  cur = 0;

  constructor(readonly kernel: string) {}

  read(t: Tracker, e: number): void {
    const z = this.cur, a = this.agents;
    const w = t.writer[e];
    if (w !== 0 && w !== z && a.concurrent(w, z)) throw this.readWrite(t, e, z, w);
    const r = t.reader[e];
    if (r === z) return;
    if (r === 0) t.reader[e] = z;
    else if (r > 0) {
      if (a.concurrent(r, z)) { t.reader[e] = -r; (t.reader2 ??= new Int32Array(t.reader.length))[e] = z; }
      else t.reader[e] = z;
    } else if (-r !== z && !a.concurrent(-r, z)) t.reader[e] = z;
  }

  /**
   * Records a write of element e. Returns the position of an earlier writer that could
   * have run at the same time (a write-write race, which the caller reports unless both
   * wrote the same bytes), else 0. A concurrent reader is always a race.
   */
  write(t: Tracker, e: number): number {
    const z = this.cur, a = this.agents;
    const w = t.writer[e];
    const r = t.reader[e];
    if (r > 0) {
      if (r !== z && a.concurrent(r, z)) throw this.readWrite(t, e, r, z);
    } else if (r < 0) {
      const p = -r, q = t.reader2![e];
      if (p !== z && a.concurrent(p, z)) throw this.readWrite(t, e, p, z);
      if (q !== z && a.concurrent(q, z)) throw this.readWrite(t, e, q, z);
    }
    t.writer[e] = z;
    return w !== 0 && w !== z && a.concurrent(w, z) ? w : 0;
  }

  /** The race of two writers, `w` before the one running now. */
  writeWrite(t: Tracker, e: number, w: number): KernelRace {
    return this.race(`${this.pair(w, this.cur)} both write ${t.what}[element ${e}]`);
  }

  /**
   * Element e of a narrow type lies in 32-bit word `word`: a target that stores whole
   * words (WGSL has no 8- or 16-bit storage) makes two writers of one word a race even
   * when their elements differ.
   */
  writeWord(t: Tracker, word: number, e: number, words: number): void {
    const z = this.cur;
    const ww = (t.wordWriter ??= new Int32Array(words)), we = (t.wordElement ??= new Int32Array(words));
    const w = ww[word];
    if (w !== 0 && w !== z && this.agents.concurrent(w, z))
      throw this.race(`${this.pair(w, z)} write ${t.what}[elements ${we[word]} and ${e}], which share one 32-bit word (a target that stores words, like WGSL, loses one)`);
    ww[word] = z;
    we[word] = e;
  }

  private readWrite(t: Tracker, e: number, reader: number, writer: number): KernelRace {
    const [r, w] = this.agents.siblings(reader, writer);
    const [rs, ws] = this.agents.depth[reader] === 1 && this.agents.depth[writer] === 1
      ? [String(this.agents.iter[r]), String(this.agents.iter[w])]
      : [this.agents.path(reader), this.agents.path(writer)];
    return this.race(`invocation ${rs} of parallel loop ${this.agents.loopVar(r)} reads ${t.what}[element ${e}], which invocation ${ws} writes, with no barrier between`);
  }

  /** "invocations 3 and 7 of parallel loop p", with full paths when loops nest. */
  private pair(p: number, q: number): string {
    const a = this.agents;
    const [x, y] = a.siblings(p, q);
    const flat = a.depth[p] === 1 && a.depth[q] === 1;
    const names = flat ? `${Math.min(a.iter[x], a.iter[y])} and ${Math.max(a.iter[x], a.iter[y])}` : `${a.path(p)} and ${a.path(q)}`;
    return `invocations ${names} of parallel loop ${a.loopVar(x)}`;
  }

  private race(what: string): KernelRace {
    return new KernelRace(`kernel ${this.kernel}: ${what}`);
  }
}
