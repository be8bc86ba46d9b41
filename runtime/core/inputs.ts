// Inputs, checked against their tensors by what the engine knows of each typed array, not
// by what the object says of itself. A subclass may override `length`, `byteLength`,
// `byteOffset` or `buffer`; trusting any of them copies past the tensor's slot into the
// buffers beside it in the arena. The intrinsic getters of %TypedArray%.prototype read the
// view's internal slots, which no subclass or proxy can change. Every target's runtime
// takes its inputs through here.
import { ARRAY_OF, elementCount } from './dtype.js';
import type { ManifestCore, TensorSpec } from './manifest.js';

const TYPED_ARRAY_PROTO = Object.getPrototypeOf(Uint8Array.prototype) as object;

function intrinsic<T>(key: PropertyKey): (x: object) => T {
  const get = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTO, key)!.get!;
  return (x) => get.call(x) as T;
}

/** 'Float32Array' etc. for a real typed array; undefined for anything else (never throws). */
const kindOf = intrinsic<string | undefined>(Symbol.toStringTag);
const bufferOf = intrinsic<ArrayBufferLike>('buffer');
const byteOffsetOf = intrinsic<number>('byteOffset');
const byteLengthOf = intrinsic<number>('byteLength');

const describe = (x: unknown): string =>
  x === null ? 'null' : typeof x !== 'object' ? typeof x : (kindOf(x) ?? (ArrayBuffer.isView(x) ? 'DataView' : x.constructor?.name ?? 'object'));

/**
 * The bytes of input `x` for tensor `t`, as a view over the caller's memory (not copied):
 * `x` must be the typed array ARRAY_OF gives t's dtype, of exactly the tensor's element count.
 * `target` names the runtime in errors ('wasm', 'webgpu').
 */
export function inputBytes(target: string, t: TensorSpec, x: unknown): Uint8Array {
  const { name: wanted, BYTES_PER_ELEMENT: bytesPerElement } = ARRAY_OF[t.dtype];
  const kind = typeof x === 'object' && x !== null ? kindOf(x) : undefined;
  if (kind !== wanted) throw new TypeError(`kiln ${target}: input '${t.name}' is ${t.dtype} and wants a ${wanted}, got ${describe(x)}`);
  const view = x as object;
  const count = elementCount(t.dims);
  const bytes = byteLengthOf(view);
  if (bytes !== count * bytesPerElement)
    throw new RangeError(`kiln ${target}: input '${t.name}' has shape [${t.dims.join(', ')}] (${count} elements), got ${bytes / bytesPerElement}`);
  return new Uint8Array(bufferOf(view), byteOffsetOf(view), bytes);
}

/**
 * A run's inputs in `m`'s order, given in order (an array) or by name (an object): a wrong
 * count, a name the model has not, or a missing input is refused, naming the model's inputs.
 */
export function orderedInputs(target: string, m: ManifestCore, inputs: unknown): unknown[] {
  const ins = m.inputs;
  const names = () => ins.map((t) => t.name).join(', ');
  if (Array.isArray(inputs)) {
    if (inputs.length !== ins.length) throw new Error(`kiln ${target}: ${m.name} takes ${ins.length} inputs (${names()}), got ${inputs.length}`);
    return [...inputs];
  }
  if (typeof inputs !== 'object' || inputs === null || ArrayBuffer.isView(inputs))
    throw new TypeError(`kiln ${target}: ${m.name}: inputs are an array of typed arrays or an object of them by input name`);
  const named = inputs as Readonly<Record<string, unknown>>;
  const unknown = Object.keys(named).filter((k) => !ins.some((t) => t.name === k));
  if (unknown.length) throw new Error(`kiln ${target}: ${m.name} has no input ${unknown.map((k) => `'${k}'`).join(', ')} (inputs: ${names()})`);
  return ins.map((t) => {
    if (!Object.hasOwn(named, t.name)) throw new Error(`kiln ${target}: ${m.name}: missing input '${t.name}'`);
    return named[t.name];
  });
}
