// The kiln wasm runtime: load a module compiled by targets/wasm, copy inputs in, run,
// copy outputs out. Depends on nothing of kiln; runs in Node (≥ 20) and browsers.
//
// Staged runs (a train loop over donated inputs): runStaged() writes only the inputs it
// is given and copies nothing out; view() reads and writes a tensor's bytes in place. An
// output the manifest says `aliases` an input is in that input's bytes, so the next step
// finds its state where the last one left it, and nothing is copied either way.
//
// Threads: with `threads > 1`, a shared-memory build, and SharedArrayBuffer + workers
// available, N−1 workers instantiate the same module on the same memory once at load;
// each run posts `run` to them and calls `run_thread(0, N)` on this thread. The module's
// own barrier (atomics on scratch words) orders the launches. Without threads support
// the model runs on one thread, silently.
import { ARRAY_OF, elementCount, type TypedArray } from '../core/dtype.js';
import { inputBytes, orderedInputs } from '../core/inputs.js';
import { checkManifest, MAX_MEMORY_BYTES, memoryBytes, type WasmManifest, type WasmTensor } from './manifest.js';

export type { WasmDType, WasmManifest, WasmTensor } from './manifest.js';
// The core's dtype table, as this module has always exported it.
export { ARRAY_OF };
export type { TypedArray };

export interface LoadOptions {
  /** Contents of the constants region, for modules built without embedded constants. */
  readonly weights?: Uint8Array;
  /**
   * Threads to run on: an integer ≥ 1 (default 1). Needs a shared-memory build; more than
   * the host's hardware threads (`navigator.hardwareConcurrency`, Node's
   * `os.availableParallelism()`) are clamped to that number, since extra workers only
   * cost memory and start-up time. `Model.threads` says how many are used.
   */
  readonly threads?: number;
  /**
   * Functions the module imports from `env` beside its memory: a profiled build's
   * `profile_tick` (kiln bench --profile). A model given them runs on one thread, since
   * functions cannot be sent to worker threads.
   */
  readonly imports?: Readonly<Record<string, WebAssembly.ImportValue>>;
}

export interface Model {
  readonly manifest: WasmManifest;
  /** Threads actually used. */
  readonly threads: number;
  /** The linear memory it runs in; kiln modules never grow it, so its buffer stays the same. */
  readonly memory: WebAssembly.Memory;
  /** Copies every input in, runs, and returns copies of the outputs. */
  run(inputs: Record<string, TypedArray> | readonly TypedArray[]): Promise<Record<string, TypedArray>>;
  /**
   * Writes only the inputs given (the others are taken as already in memory: written
   * through view(), or an aliased output of the last run), runs, and copies nothing out;
   * read the results with view(). Runs queue with run()'s.
   */
  runStaged(inputs?: Record<string, TypedArray>): Promise<void>;
  /**
   * A live view of a tensor's bytes in linear memory, its dtype's typed array: an input
   * when `side` is 'input', an output when 'output'; by default the input of that name if
   * there is one, else the output. Valid while `memory.buffer` is the same; reading or
   * writing it while a run is in flight races with that run.
   */
  view(name: string, side?: 'input' | 'output'): TypedArray;
  dispose(): void;
}

interface Exports {
  run_thread(tid: number, n: number): void;
  init?: () => void;
}

/** A worker thread, as seen from here (Node's worker_threads or a Web Worker). */
interface Thread {
  post(msg: unknown): void;
  next(): Promise<WorkerReply>;
  terminate(): void;
  /** Keep the host alive while waiting on this thread (Node), or not. */
  hold(on: boolean): void;
}
type WorkerReply = { type: 'ready' | 'done' } | { type: 'error'; message: string };

/**
 * (module (func (param v128 v128 v128) (result v128)
 *   local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
 */
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0,
  10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);
let relaxed: boolean | undefined;

/**
 * Whether this engine runs relaxed-SIMD wasm: Chrome and Edge 114+, Node 22+ (Node 20
 * with --experimental-wasm-relaxed-simd); not Firefox or Safari by default.
 */
export function hasRelaxedSimd(): boolean {
  relaxed ??= typeof WebAssembly !== 'undefined' && WebAssembly.validate(RELAXED_PROBE);
  return relaxed;
}

/** The module file of an artifact to load here: its relaxed-SIMD build where this engine has relaxed SIMD. */
export function wasmFile(manifest: WasmManifest): string {
  const files = manifest.modules ?? { simd128: 'model.wasm' };
  return files.relaxedSimd !== undefined && hasRelaxedSimd() ? files.relaxedSimd : files.simd128;
}

export async function loadModel(wasm: BufferSource | WebAssembly.Module, manifest: WasmManifest, opts: LoadOptions = {}): Promise<Model> {
  if (manifest.format !== 'kiln-wasm/1') throw new Error(`kiln wasm: unknown manifest format '${String(manifest.format)}'`);
  checkManifest(manifest);
  const wanted = threadOption(opts.threads);
  const layout = manifest.memory;
  if (!layout.constantsEmbedded && layout.constantsBytes > 0) {
    if (!opts.weights) throw new Error(`kiln wasm: ${manifest.name} needs its weights (${layout.constantsBytes} bytes)`);
    if (opts.weights.byteLength !== layout.constantsBytes)
      throw new Error(`kiln wasm: ${manifest.name} weights are ${opts.weights.byteLength} bytes, expected ${layout.constantsBytes}`);
  }
  const module = wasm instanceof WebAssembly.Module ? wasm : await compile(wasm, manifest);
  const canThread = manifest.shared && !opts.imports && typeof SharedArrayBuffer !== 'undefined' && (await threadSupport()) !== undefined;
  let threads = canThread ? Math.min(wanted, await hardwareThreads(), threadsThatFit(layout)) : 1;

  const pages = Math.ceil(memoryBytes(layout, threads) / 65536);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory(manifest.shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages });
  } catch (e) {
    throw new Error(`kiln wasm: ${manifest.name} is a shared-memory build and this host cannot make shared memory (${String(e)}); use a non-shared build`);
  }
  const instance = await WebAssembly.instantiate(module, { env: { ...opts.imports, memory } });
  const ex = instance.exports as unknown as Exports;
  ex.init?.();
  if (!layout.constantsEmbedded && opts.weights) new Uint8Array(memory.buffer, layout.constantsOffset, layout.constantsBytes).set(opts.weights);

  const workers: Thread[] = [];
  if (threads > 1) {
    try {
      const spawn = (await threadSupport())!;
      for (let t = 1; t < threads; t++) workers.push(spawn(WORKER_SOURCE));
      for (const w of workers) w.post({ type: 'init', module, memory, abort: layout.barrier.abort });
      for (const w of workers) {
        const r = await w.next();
        w.hold(false);
        if (r.type !== 'ready') throw new Error(r.type === 'error' ? r.message : 'worker did not start');
      }
    } catch {
      for (const w of workers) w.terminate();
      workers.length = 0;
      threads = 1;
    }
  }

  const words = () => new Int32Array(memory.buffer, 0, 4);
  let broken: string | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  let inFlight = 0;

  /** Checks the inputs given and takes their bytes now, so the caller may reuse its arrays as soon as run() returns. */
  const stage = (given: Record<string, TypedArray>): (() => void) => {
    if (broken) throw new Error(`kiln wasm: ${manifest.name} is unusable after an earlier failure: ${broken}`);
    const tensors = manifest.inputs.filter((t) => Object.hasOwn(given, t.name));
    const bytes = tensors.map((t) => inputBytes('wasm', t, given[t.name]));
    const write = (from: Uint8Array[]) => tensors.forEach((t, i) => new Uint8Array(memory.buffer, t.offset, from[i].byteLength).set(from[i]));
    // Idle: straight into the memory. Busy: an earlier run still owns the memory, so keep a copy until its turn.
    if (inFlight === 0) {
      write(bytes);
      return () => {};
    }
    const copies = bytes.map((b) => b.slice());
    return () => write(copies);
  };

  const runOnce = async (): Promise<void> => {
    if (broken) throw new Error(`kiln wasm: ${manifest.name} is unusable after an earlier failure: ${broken}`);
    const n = workers.length + 1;
    if (n > 1) {
      const w = words();
      Atomics.store(w, layout.barrier.count / 4, 0);
      Atomics.store(w, layout.barrier.abort / 4, 0);
      workers.forEach((wk, i) => { wk.hold(true); wk.post({ type: 'run', tid: i + 1, n }); });
    }
    let error: unknown;
    try {
      ex.run_thread(0, n);
    } catch (e) {
      error = e;
      if (n > 1) Atomics.store(words(), layout.barrier.abort / 4, 1);
    }
    const replies = await Promise.all(workers.map((w) => w.next()));
    for (const w of workers) w.hold(false);
    const failed = replies.find((r): r is { type: 'error'; message: string } => r.type === 'error');
    if (error !== undefined || failed) {
      broken = error !== undefined ? String(error) : failed!.message;
      throw error ?? new Error(`kiln wasm: ${manifest.name}: worker failed: ${failed!.message}`);
    }
  };

  /** Stages `given` now and runs in turn (one run at a time: runs share the memory), then `after`. */
  const enqueue = <T>(given: () => Record<string, TypedArray>, after: () => T): Promise<T> => {
    let load: () => void;
    try {
      load = stage(given());
    } catch (e) {
      return Promise.reject(e);
    }
    inFlight++;
    const r = queue.then(async () => {
      load();
      await runOnce();
      return after();
    }).finally(() => inFlight--);
    queue = r.catch(() => undefined);
    return r;
  };

  const tensor = (name: string, side?: 'input' | 'output'): WasmTensor => {
    const t = (side !== 'output' ? manifest.inputs.find((x) => x.name === name) : undefined) ??
      (side !== 'input' ? manifest.outputs.find((x) => x.name === name) : undefined);
    if (t) return t;
    const names = [...(side !== 'output' ? manifest.inputs : []), ...(side !== 'input' ? manifest.outputs : [])].map((x) => x.name);
    throw new Error(`kiln wasm: ${manifest.name} has no ${side ?? 'input or output'} '${name}' (${names.join(', ')})`);
  };

  return {
    manifest,
    threads: workers.length + 1,
    memory,
    run(inputs) {
      return enqueue(() => inputsByName(manifest, inputs), () => {
        const out: Record<string, TypedArray> = {};
        for (const t of manifest.outputs) out[t.name] = read(memory, t);
        return out;
      });
    },
    runStaged(inputs = {}) {
      return enqueue(() => someInputs(manifest, inputs), () => undefined);
    },
    view(name, side) {
      const t = tensor(name, side);
      return new ARRAY_OF[t.dtype](memory.buffer, t.offset, elementCount(t.dims));
    },
    dispose() {
      for (const w of workers) w.terminate();
      workers.length = 0;
      broken = 'disposed';
    },
  };
}

async function compile(wasm: BufferSource, manifest: WasmManifest): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(wasm);
  } catch (e) {
    const simd128 = manifest.modules?.simd128 ?? 'model.wasm';
    if (!hasRelaxedSimd() && manifest.modules?.relaxedSimd !== undefined)
      throw new Error(`kiln wasm: ${manifest.name}: this engine cannot compile the module (${String(e)}); if it is the relaxed-SIMD build, load ${simd128} instead (wasmFile() picks)`);
    throw e;
  }
}

function inputsByName(manifest: WasmManifest, inputs: Record<string, TypedArray> | readonly TypedArray[]): Record<string, TypedArray> {
  const list = orderedInputs('wasm', manifest, inputs) as TypedArray[];
  return Object.fromEntries(manifest.inputs.map((t, i) => [t.name, list[i]]));
}

/** Inputs by name, some of them (runStaged's), refusing names the model has not. */
function someInputs(manifest: WasmManifest, named: Record<string, TypedArray>): Record<string, TypedArray> {
  const ins = manifest.inputs;
  if (typeof named !== 'object' || named === null || Array.isArray(named) || ArrayBuffer.isView(named))
    throw new Error(`kiln wasm: ${manifest.name}: staged inputs are an object of typed arrays by input name`);
  const unknown = Object.keys(named).filter((k) => !ins.some((t) => t.name === k));
  if (unknown.length) throw new Error(`kiln wasm: ${manifest.name} has no input ${unknown.map((k) => `'${k}'`).join(', ')} (inputs: ${ins.map((t) => t.name).join(', ')})`);
  return named;
}

/** The `threads` option: an integer ≥ 1, said so plainly rather than coerced (NaN, 1.5 and 0 are mistakes). */
function threadOption(threads: unknown): number {
  if (threads === undefined) return 1;
  if (typeof threads !== 'number') throw new TypeError(`kiln wasm: threads must be an integer ≥ 1, got ${typeof threads} ${String(threads)}`);
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`kiln wasm: threads must be an integer ≥ 1, got ${threads}`);
  return threads;
}

/** Threads whose stack frames fit in wasm32's 4 GiB beside the module's data. */
function threadsThatFit(layout: WasmManifest['memory']): number {
  const left = MAX_MEMORY_BYTES - layout.stackOffset;
  return layout.stackBytesPerThread === 0 ? Infinity : Math.max(1, Math.floor(left / layout.stackBytesPerThread));
}

/** The host's hardware threads; 4 where the host does not say. */
async function hardwareThreads(): Promise<number> {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { versions?: { node?: string } } };
  const n = g.navigator?.hardwareConcurrency;
  if (typeof n === 'number' && n >= 1) return n;
  if (g.process?.versions?.node) {
    const spec = 'node:os';
    const os = (await import(/* @vite-ignore */ spec)) as typeof import('node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return 4;
}

function read(memory: WebAssembly.Memory, t: WasmTensor): TypedArray {
  const ctor = ARRAY_OF[t.dtype];
  const count = elementCount(t.dims);
  const bytes = new Uint8Array(memory.buffer, t.offset, count * ctor.BYTES_PER_ELEMENT).slice();
  return new ctor(bytes.buffer, 0, count);
}

// ---- workers ----

/** Runs in each worker: Node (CommonJS eval) or a browser Web Worker. */
const WORKER_SOURCE = `
const node = typeof self === 'undefined';
const port = node ? require('node:worker_threads').parentPort : self;
const post = (m) => port.postMessage(m);
let ex, abortWord;
const handle = async (msg) => {
  try {
    if (msg.type === 'init') {
      const inst = await WebAssembly.instantiate(msg.module, { env: { memory: msg.memory } });
      ex = inst.exports;
      abortWord = new Int32Array(msg.memory.buffer, msg.abort, 1);
      post({ type: 'ready' });
    } else if (msg.type === 'run') {
      ex.run_thread(msg.tid, msg.n);
      post({ type: 'done' });
    }
  } catch (e) {
    if (abortWord) Atomics.store(abortWord, 0, 1);
    post({ type: 'error', message: String(e && e.stack || e) });
  }
};
if (node) port.on('message', handle); else self.onmessage = (e) => handle(e.data);
`;

type Spawn = (source: string) => Thread;
let support: Promise<Spawn | undefined> | undefined;

function threadSupport(): Promise<Spawn | undefined> {
  support ??= detect();
  return support;
}

async function detect(): Promise<Spawn | undefined> {
  const g = globalThis as { process?: { versions?: { node?: string } }; Worker?: unknown; Blob?: unknown; URL?: { createObjectURL?: unknown } };
  if (g.process?.versions?.node) {
    try {
      const spec = 'node:worker_threads';
      const wt = (await import(/* @vite-ignore */ spec)) as typeof import('node:worker_threads');
      return (source) => {
        const w = new wt.Worker(source, { eval: true });
        return wrap((f) => { w.on('message', f); w.on('error', (e) => f({ type: 'error', message: String(e) })); },
          (m) => w.postMessage(m), () => void w.terminate(), (on) => (on ? w.ref() : w.unref()));
      };
    } catch {
      return undefined;
    }
  }
  if (typeof g.Worker === 'function' && typeof g.Blob === 'function' && typeof g.URL?.createObjectURL === 'function') {
    return (source) => {
      const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      const w = new Worker(url);
      URL.revokeObjectURL(url);
      return wrap((f) => {
        w.onmessage = (e: MessageEvent) => f(e.data as WorkerReply);
        w.onerror = (e: ErrorEvent) => f({ type: 'error', message: e.message });
      }, (m) => w.postMessage(m), () => w.terminate(), () => {});
    };
  }
  return undefined;
}

/** Replies in arrival order, awaited one at a time. */
function wrap(listen: (f: (r: WorkerReply) => void) => void, post: (m: unknown) => void, terminate: () => void, hold: (on: boolean) => void): Thread {
  const pending: WorkerReply[] = [];
  const waiting: ((r: WorkerReply) => void)[] = [];
  listen((r) => {
    const w = waiting.shift();
    if (w) w(r); else pending.push(r);
  });
  return {
    post,
    terminate,
    hold,
    next: () => new Promise<WorkerReply>((resolve) => {
      const r = pending.shift();
      if (r) resolve(r); else waiting.push(resolve);
    }),
  };
}
