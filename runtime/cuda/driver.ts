// The CUDA driver API, as much of it as runtime/cuda needs, loaded from libcuda.so.1 at run
// time through koffi (a foreign-function package with prebuilt binaries, so nothing is
// compiled at install). koffi is imported when a driver is first opened, not when this
// module loads: a project that never runs CUDA, or a machine without a driver, imports the
// runtime without error and learns why only from openDriver() (CudaUnavailable).
//
// Every call is synchronous and checked: a CUresult other than CUDA_SUCCESS throws a
// CudaError naming the call and the driver's own name and text for the code. Calls run on
// the calling thread because a CUDA context is current per thread: koffi's async calls
// would run on a worker thread where the model's context is not current.

/** CUDA cannot run here: no driver library, no koffi, cuInit failed, or no such device. */
export class CudaUnavailable extends Error {
  override readonly name: string = 'CudaUnavailable';
}

/**
 * A driver call returned an error: `call` (e.g. 'cuLaunchKernel'), `code`, and the driver's
 * name and text for it; `context` (what the runtime was doing) leads the message.
 */
export class CudaError extends Error {
  override readonly name: string = 'CudaError';
  constructor(readonly call: string, readonly code: number, readonly errorName: string, readonly errorString: string, readonly context: string = '') {
    super(`${context}${call}: ${errorName} (${errorString})`);
  }

  /** The same error with `prefix` before its context. */
  within(prefix: string): CudaError {
    return new CudaError(this.call, this.code, this.errorName, this.errorString, prefix + this.context);
  }
}

/** An opaque driver handle (CUcontext, CUmodule, CUfunction). */
export type Handle = object;

/** cuLaunchKernel's kernelParams, built once per launch by kernelParams(). */
export interface KernelParams { readonly count: number }

export interface Driver {
  /** The library it was loaded from. */
  readonly library: string;
  deviceCount(): number;
  device(ordinal: number): number;
  deviceName(device: number): string;
  retainPrimaryContext(device: number): Handle;
  releasePrimaryContext(device: number): void;
  setCurrent(context: Handle): void;
  /** A module from a NUL-terminated image (PTX text or a cubin). */
  loadModule(image: Uint8Array): Handle;
  getFunction(module: Handle, name: string): Handle;
  unloadModule(module: Handle): void;
  alloc(bytes: number): bigint;
  free(address: bigint): void;
  copyToDevice(dst: bigint, src: Uint8Array): void;
  copyFromDevice(dst: Uint8Array, src: bigint): void;
  memset(dst: bigint, value: number, bytes: number): void;
  /** The kernelParams of a kernel whose parameters are the device addresses `args`. */
  kernelParams(args: readonly bigint[]): KernelParams;
  launch(fn: Handle, grid: readonly number[], block: readonly number[], sharedBytes: number, params: KernelParams): void;
  synchronize(): void;
}

export const DEFAULT_LIBRARY = 'libcuda.so.1';

// The C prototypes, as cuda.h declares them (CUresult and CUdevice are ints, handles are
// pointers, CUdeviceptr is 64 bits). `_v2` names are the ABI cuda.h's macros select.
const PROTOTYPES = {
  cuInit: 'int cuInit(unsigned int flags)',
  cuDeviceGetCount: 'int cuDeviceGetCount(_Out_ int *count)',
  cuDeviceGet: 'int cuDeviceGet(_Out_ int *device, int ordinal)',
  cuDeviceGetName: 'int cuDeviceGetName(_Out_ uint8_t *name, int len, int dev)',
  cuDevicePrimaryCtxRetain: 'int cuDevicePrimaryCtxRetain(_Out_ void **pctx, int dev)',
  cuDevicePrimaryCtxRelease_v2: 'int cuDevicePrimaryCtxRelease_v2(int dev)',
  cuCtxSetCurrent: 'int cuCtxSetCurrent(void *ctx)',
  cuCtxSynchronize: 'int cuCtxSynchronize()',
  cuModuleLoadData: 'int cuModuleLoadData(_Out_ void **module, const uint8_t *image)',
  cuModuleGetFunction: 'int cuModuleGetFunction(_Out_ void **fn, void *module, const char *name)',
  cuModuleUnload: 'int cuModuleUnload(void *module)',
  cuMemAlloc_v2: 'int cuMemAlloc_v2(_Out_ uint64_t *dptr, size_t bytes)',
  cuMemFree_v2: 'int cuMemFree_v2(uint64_t dptr)',
  cuMemcpyHtoD_v2: 'int cuMemcpyHtoD_v2(uint64_t dst, const uint8_t *src, size_t bytes)',
  cuMemcpyDtoH_v2: 'int cuMemcpyDtoH_v2(_Out_ uint8_t *dst, uint64_t src, size_t bytes)',
  cuMemsetD8_v2: 'int cuMemsetD8_v2(uint64_t dst, uint8_t value, size_t bytes)',
  cuLaunchKernel: 'int cuLaunchKernel(void *f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz, '
    + 'unsigned int sharedMemBytes, void *stream, void **kernelParams, void **extra)',
  cuGetErrorName: 'int cuGetErrorName(int error, _Out_ const char **str)',
  cuGetErrorString: 'int cuGetErrorString(int error, _Out_ const char **str)',
} as const;

type Call = keyof typeof PROTOTYPES;
type Fn = (...args: unknown[]) => unknown;
type Koffi = typeof import('koffi');

/** Opened drivers by library, so that cuInit runs once per process and library. */
const opened = new Map<string, Driver>();

/**
 * The driver in `library` (default libcuda.so.1), initialised (cuInit). Throws
 * CudaUnavailable when koffi is missing, the library cannot be loaded, or cuInit fails.
 */
export async function openDriver(library: string = DEFAULT_LIBRARY): Promise<Driver> {
  const known = opened.get(library);
  if (known) return known;
  const koffi = await importKoffi();
  let fns: Record<Call, Fn>;
  try {
    const lib = koffi.load(library);
    fns = Object.fromEntries(Object.entries(PROTOTYPES).map(([k, p]) => [k, lib.func(p) as Fn])) as Record<Call, Fn>;
  } catch (e) {
    throw new CudaUnavailable(`no NVIDIA driver: ${library} could not be loaded (${reason(e)})`);
  }
  const check = checker(fns);
  try {
    check('cuInit', 0);
  } catch (e) {
    throw new CudaUnavailable(`the NVIDIA driver in ${library} did not initialise: ${reason(e)}`);
  }
  const driver = bind(library, fns, check);
  opened.set(library, driver);
  return driver;
}

async function importKoffi(): Promise<Koffi> {
  try {
    // A variable specifier: bundlers leave it alone, and it stays a run-time dependency.
    const name = 'koffi';
    const m = (await import(name)) as Koffi & { default?: Koffi };
    return m.default ?? m;
  } catch (e) {
    throw new CudaUnavailable(`the CUDA runtime reaches the driver through the npm package koffi, which could not be loaded (${reason(e)}): npm install koffi`);
  }
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

type Check = (call: Call, ...args: unknown[]) => void;

/** Calls `call` and throws a CudaError for any result but CUDA_SUCCESS. */
function checker(fns: Record<Call, Fn>): Check {
  const text = (f: 'cuGetErrorName' | 'cuGetErrorString', code: number): string | undefined => {
    const out: (string | null)[] = [null];
    return fns[f](code, out) === 0 && typeof out[0] === 'string' ? out[0] : undefined;
  };
  return (call, ...args) => {
    const code = fns[call](...args) as number;
    if (code !== 0) throw new CudaError(call, code, text('cuGetErrorName', code) ?? `CUresult ${code}`, text('cuGetErrorString', code) ?? 'no description');
  };
}

/** The Driver over the bound functions: out parameters as one-element arrays, as koffi passes them. */
function bind(library: string, fns: Record<Call, Fn>, check: Check): Driver {
  const out = <T>(call: Call, ...args: unknown[]): T => {
    const slot: unknown[] = [null];
    check(call, slot, ...args);
    return slot[0] as T;
  };
  // CUdeviceptr comes back as a number or, past 2^53, a BigInt; addresses are BigInts here.
  const address = (x: unknown): bigint => BigInt(x as number | bigint);
  return {
    library,
    deviceCount: () => out<number>('cuDeviceGetCount'),
    device: (ordinal) => out<number>('cuDeviceGet', ordinal),
    deviceName(device) {
      const name = new Uint8Array(256);
      check('cuDeviceGetName', name, name.length, device);
      const end = name.indexOf(0);
      return new TextDecoder().decode(name.subarray(0, end < 0 ? name.length : end));
    },
    retainPrimaryContext: (device) => out<Handle>('cuDevicePrimaryCtxRetain', device),
    releasePrimaryContext: (device) => check('cuDevicePrimaryCtxRelease_v2', device),
    setCurrent: (context) => check('cuCtxSetCurrent', context),
    loadModule: (image) => out<Handle>('cuModuleLoadData', image),
    getFunction: (module, name) => out<Handle>('cuModuleGetFunction', module, name),
    unloadModule: (module) => check('cuModuleUnload', module),
    alloc: (bytes) => address(out('cuMemAlloc_v2', bytes)),
    free: (a) => check('cuMemFree_v2', a),
    copyToDevice: (dst, src) => check('cuMemcpyHtoD_v2', dst, src, src.byteLength),
    copyFromDevice: (dst, src) => check('cuMemcpyDtoH_v2', dst, src, dst.byteLength),
    memset: (dst, value, bytes) => check('cuMemsetD8_v2', dst, value, bytes),
    kernelParams: (args) => new Params(args),
    launch(fn, grid, block, sharedBytes, params) {
      check('cuLaunchKernel', fn, grid[0], grid[1], grid[2], block[0], block[1], block[2], sharedBytes, null, (params as Params).pointers, null);
    },
    synchronize: () => check('cuCtxSynchronize'),
  };
}

/**
 * kernelParams: an array of pointers, each to one argument's value (here an 8-byte device
 * address). koffi passes a JS array for `void **` as a C array of pointers, each typed
 * array element as a pointer to its bytes, which is what cuLaunchKernel reads. One NULL
 * follows the last: the real driver takes the count from the module and never reads it,
 * but a driver that cannot know the count (the tests' fake, running kernels built for the
 * CPU) counts up to it.
 */
class Params implements KernelParams {
  readonly pointers: (BigUint64Array | null)[];
  readonly count: number;
  constructor(args: readonly bigint[]) {
    this.pointers = [...args.map((a) => BigUint64Array.of(a)), null];
    this.count = args.length;
  }
}
