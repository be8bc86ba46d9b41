// runtime/cuda: runs a kiln CUDA artifact (model.ptx + model.json + weights.bin) on an
// NVIDIA GPU from Node, through the CUDA driver API (driver.ts: libcuda.so.1 via koffi).
// No other dependency; the manifest (manifest.ts) says everything. At load: the manifest
// is checked, the device's primary context retained, the PTX loaded (the driver JIT-compiles
// it for the GPU at hand), every kernel looked up, the two regions allocated once and the
// weights uploaded once. A run copies the inputs into the arena, performs the steps
// (launches; while and switch read their predicate or index back, as XLA's GPU runtime
// does), and copies the outputs out. Runs are queued, one at a time: they share the arena.
//
// Driver calls are synchronous (driver.ts says why), so a run holds Node's thread until
// its outputs are back. A driver error rejects the run, naming the model, the kernel where
// known, the call and the driver's error: a launch fault surfaces at the next call that
// waits for the GPU (cuCtxSynchronize after the steps), as CUDA reports it.
import { ARRAY_OF, elementCount, type TypedArray } from '../core/dtype.js';
import { inputBytes, orderedInputs } from '../core/inputs.js';
import { checkManifest } from './check.js';
import { CudaError, CudaUnavailable, openDriver, type Driver, type Handle, type KernelParams } from './driver.js';
import type { CudaManifest, CudaStep, CudaTensor } from './manifest.js';

export { CudaError, CudaUnavailable } from './driver.js';
export type { CudaArg, CudaKernel, CudaManifest, CudaRegion, CudaStep, CudaTensor } from './manifest.js';
export { checkManifest } from './check.js';
// The one dtype → typed array table (f16/bf16 as raw bits, pred as bytes 0/1).
export { ARRAY_OF };
export type { TypedArray };

export interface LoadOptions {
  /** The constants region image (the manifest's `weights` file): exactly `constantsBytes` bytes. */
  readonly weights?: Uint8Array;
  /** The CUDA device ordinal (default 0). */
  readonly device?: number;
  /** The driver library to load (default libcuda.so.1); tests point it at a fake driver. */
  readonly library?: string;
}

export type Inputs = Readonly<Record<string, TypedArray>> | readonly TypedArray[];

export interface Model {
  readonly manifest: CudaManifest;
  /** The GPU's name, as the driver reports it. */
  readonly deviceName: string;
  /** Inputs by name or in order, each the typed array of its dtype; outputs by name. */
  run(inputs: Inputs): Promise<Record<string, TypedArray>>;
  /** Frees the model's device memory and module and releases its context; later runs reject. */
  dispose(): void;
}

/**
 * Why CUDA cannot run here (no koffi, no driver library, cuInit failed, no device), or
 * undefined when it can. Never throws.
 */
export async function cudaUnavailable(library?: string): Promise<string | undefined> {
  try {
    deviceOrdinal(await openDriver(library), 0);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Loads `ptx` (the artifact's model.ptx: text, or its bytes) with `manifest` onto a GPU.
 * Rejects with a RangeError for a damaged manifest or weights of the wrong size, a
 * CudaUnavailable where CUDA cannot run, and a CudaError for a driver call that failed.
 */
export async function loadModel(ptx: string | Uint8Array, manifest: CudaManifest, opts: LoadOptions = {}): Promise<Model> {
  checkManifest(manifest);
  checkWeights(manifest, opts.weights);
  const driver = await openDriver(opts.library);
  const ordinal = deviceOrdinal(driver, opts.device ?? 0);
  const prefix = `kiln cuda: ${manifest.name}: `;
  const undo: (() => void)[] = [];
  try {
    const device = driver.device(ordinal);
    const context = driver.retainPrimaryContext(device);
    undo.push(() => driver.releasePrimaryContext(device));
    driver.setCurrent(context);
    const module = driver.loadModule(image(ptx));
    undo.push(() => driver.unloadModule(module));
    const functions = manifest.kernels.map((k) => within(`${k.entry}: `, () => driver.getFunction(module, k.entry)));
    const arena = region(driver, manifest.arenaBytes, undo);
    const constants = region(driver, manifest.constantsBytes, undo);
    // Device memory starts as whatever was there: zero it, so a run never reads another's leftovers.
    if (manifest.arenaBytes > 0) driver.memset(arena, 0, manifest.arenaBytes);
    if (opts.weights && opts.weights.byteLength > 0) driver.copyToDevice(constants, opts.weights);
    else if (manifest.constantsBytes > 0) driver.memset(constants, 0, manifest.constantsBytes);
    driver.synchronize();
    const steps = plan(driver, manifest, manifest.steps, functions, { arena, constants });
    return new CudaModel(driver, manifest, driver.deviceName(device), context, arena, steps, undo);
  } catch (e) {
    release(undo);
    throw e instanceof CudaError ? e.within(prefix) : e;
  }
}

/** `device` as an ordinal this driver has; CudaUnavailable when it has none, or fewer. */
function deviceOrdinal(driver: Driver, device: number): number {
  const count = driver.deviceCount();
  if (count === 0) throw new CudaUnavailable(`no CUDA device: the NVIDIA driver (${driver.library}) sees none`);
  if (!Number.isInteger(device) || device < 0 || device >= count)
    throw new CudaUnavailable(`no CUDA device ${device}: the NVIDIA driver (${driver.library}) sees ${count} (0 to ${count - 1})`);
  return device;
}

function checkWeights(m: CudaManifest, weights: Uint8Array | undefined): void {
  if (weights === undefined ? m.weights !== undefined && m.constantsBytes > 0 : weights.byteLength !== m.constantsBytes)
    throw new RangeError(`kiln cuda: ${m.name}: expected ${m.constantsBytes} bytes of weights${m.weights ? ` (${m.weights})` : ''}, got ${weights?.byteLength ?? 'none'}`);
}

/** cuModuleLoadData reads the image up to its NUL: PTX text gets one. */
function image(ptx: string | Uint8Array): Uint8Array {
  const bytes = typeof ptx === 'string' ? new TextEncoder().encode(ptx) : ptx;
  if (bytes.byteLength > 0 && bytes[bytes.byteLength - 1] === 0) return bytes;
  const terminated = new Uint8Array(bytes.byteLength + 1);
  terminated.set(bytes);
  return terminated;
}

/** A region's device allocation (cuMemAlloc refuses 0 bytes: an empty region gets one byte). */
function region(driver: Driver, bytes: number, undo: (() => void)[]): bigint {
  const base = driver.alloc(Math.max(bytes, 1));
  undo.push(() => driver.free(base));
  return base;
}

/** Undoes what `undo` holds, last first; a failure there (a broken context) leaves nothing more to do. */
function release(undo: (() => void)[]): void {
  while (undo.length) {
    try { undo.pop()!(); } catch { /* the context is gone, and its memory with it */ }
  }
}

/** Runs `f`, putting `context` before a driver error's message. */
function within<T>(context: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof CudaError ? e.within(context) : e;
  }
}

/** A step with its kernel looked up and its arguments' addresses computed, once at load. */
type Planned =
  | { readonly k: 'launch'; readonly entry: string; readonly fn: Handle; readonly grid: readonly number[]; readonly block: readonly number[]; readonly sharedBytes: number; readonly params: KernelParams }
  | { readonly k: 'while'; readonly cond: readonly Planned[]; readonly pred: bigint; readonly body: readonly Planned[] }
  | { readonly k: 'switch'; readonly index: bigint; readonly indexType: 's32' | 'pred'; readonly branches: readonly (readonly Planned[])[] };

interface Bases { readonly arena: bigint; readonly constants: bigint }

function plan(driver: Driver, m: CudaManifest, steps: readonly CudaStep[], fns: readonly Handle[], bases: Bases): Planned[] {
  const sub = (s: readonly CudaStep[]) => plan(driver, m, s, fns, bases);
  return steps.map((s): Planned => {
    switch (s.k) {
      case 'launch': {
        const kernel = m.kernels[s.kernel];
        const params = driver.kernelParams(s.args.map((a) => bases[a.region] + BigInt(a.offset)));
        return { k: 'launch', entry: kernel.entry, fn: fns[s.kernel], grid: s.grid, block: s.block, sharedBytes: kernel.sharedBytes, params };
      }
      case 'while': return { k: 'while', cond: sub(s.cond), pred: bases.arena + BigInt(s.pred), body: sub(s.body) };
      case 'switch': return { k: 'switch', index: bases.arena + BigInt(s.index), indexType: s.indexType, branches: s.branches.map(sub) };
      default: {
        const unknown: never = s; // a new step kind fails to compile here
        throw new Error(`kiln cuda: ${m.name}: unknown step ${JSON.stringify(unknown)}`);
      }
    }
  });
}

/** A loaded model: its runs are queued, one at a time (they share the arena). */
class CudaModel implements Model {
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly scalar = new Uint8Array(4);

  constructor(private readonly driver: Driver, readonly manifest: CudaManifest, readonly deviceName: string, private readonly context: Handle,
    private readonly arena: bigint, private readonly steps: readonly Planned[], private readonly undo: (() => void)[]) {}

  run(inputs: Inputs): Promise<Record<string, TypedArray>> {
    let bytes: Uint8Array[];
    try {
      // Checked and copied now: the caller may reuse its arrays as soon as run() returns.
      bytes = orderedInputs('cuda', this.manifest, inputs).map((x, i) => inputBytes('cuda', this.manifest.inputs[i], x).slice());
    } catch (e) {
      return Promise.reject(e);
    }
    const r = this.queue.then(() => this.runNow(bytes));
    this.queue = r.catch(() => undefined);
    return r;
  }

  dispose(): void {
    this.disposed = true;
    // Free in this model's context, whatever another model made current since.
    try { this.driver.setCurrent(this.context); } catch { /* release() copes */ }
    release(this.undo);
  }

  private runNow(bytes: readonly Uint8Array[]): Record<string, TypedArray> {
    const { driver, manifest } = this;
    if (this.disposed) throw new Error(`kiln cuda: ${manifest.name}: disposed`);
    try {
      driver.setCurrent(this.context);
      manifest.inputs.forEach((t, i) => { if (t.bytes > 0) within(`input '${t.name}': `, () => driver.copyToDevice(this.arena + BigInt(t.offset), bytes[i])); });
      this.perform(this.steps);
      driver.synchronize();
      return Object.fromEntries(manifest.outputs.map((t) => [t.name, this.output(t)]));
    } catch (e) {
      throw e instanceof CudaError ? e.within(`kiln cuda: ${manifest.name}: run: `) : e;
    }
  }

  private perform(steps: readonly Planned[]): void {
    for (const s of steps) {
      switch (s.k) {
        case 'launch':
          within(`${s.entry}: `, () => this.driver.launch(s.fn, s.grid, s.block, s.sharedBytes, s.params));
          break;
        case 'while':
          for (;;) {
            this.perform(s.cond);
            if (this.read(s.pred, 1)[0] === 0) break;
            this.perform(s.body);
          }
          break;
        case 'switch':
          this.perform(s.branches[this.branch(s)]);
          break;
      }
    }
  }

  /** pred true → branch 0, false → 1; an s32 outside [0, N) → the last branch (HLO `conditional`). */
  private branch(s: Extract<Planned, { k: 'switch' }>): number {
    const n = s.branches.length;
    if (s.indexType === 'pred') return this.read(s.index, 1)[0] !== 0 ? 0 : Math.min(1, n - 1);
    const b = this.read(s.index, 4);
    const v = new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
    return v >= 0 && v < n ? v : n - 1;
  }

  /** `bytes` bytes at device address `at` (cuMemcpyDtoH waits for the launches before it). */
  private read(at: bigint, bytes: number): Uint8Array {
    const b = this.scalar.subarray(0, bytes);
    this.driver.copyFromDevice(b, at);
    return b;
  }

  private output(t: CudaTensor): TypedArray {
    const bytes = new Uint8Array(t.bytes);
    if (t.bytes > 0) within(`output '${t.name}': `, () => this.driver.copyFromDevice(bytes, this.arena + BigInt(t.offset)));
    return new ARRAY_OF[t.dtype](bytes.buffer, 0, elementCount(t.dims));
  }
}
