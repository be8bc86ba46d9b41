// How big a value kiln agrees to hold, checked before anything is allocated. A shape's
// size is a product of dims, so a few bytes of model text can ask for exabytes: each
// reader and each backend compares what a shape needs with what it can hold, and says
// both numbers instead of dying in the allocator.
import { byteSize } from './dtype.js';
import { leaves, shapeToString, type ArrayShape, type Shape } from './shape.js';

/** A value larger than a backend (or any target) can hold. */
export class TooLarge extends Error {
  override name = 'TooLarge';
}

/** Above 2^53 a JS number no longer holds every integer: dims and element counts past it would be rounded. */
export const MAX_EXACT = 2 ** 53;
/**
 * Readers refuse arrays larger than this outright: 2^53 bytes (8 PiB), so that every
 * element count and byte offset kiln computes is an exact integer. No target holds
 * anything near it; each backend refuses what it cannot hold by its own, smaller limit.
 * (Not lower: XLA's own test modules declare shapes of 161 TiB that are only parsed.)
 */
export const MAX_ARRAY_BYTES = 2 ** 53;
/** The interpreter keeps every array as a Float64Array (8 bytes an element): at most 2^28 elements (2 GiB) a value. */
export const MAX_INTERPRETER_ELEMENTS = 2 ** 28;
/** wasm32 addresses 4 GiB of linear memory; browsers may allow less (2 GiB is the safe bet on 32-bit hosts and phones). */
export const WASM32_MEMORY_BYTES = 2 ** 32;

/** Elements of dims: the exact product when it is at most 2^53, else Infinity (never a rounded count). */
export function exactElements(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (d === 0) return 0;
    n *= d;
  }
  return n <= MAX_EXACT && dims.every((d) => Number.isSafeInteger(d)) ? n : Infinity;
}

/** Bytes of one array (Infinity when not exact). */
export const arrayBytes = (s: ArrayShape): number => exactElements(s.dims) * byteSize(s.dtype);

/** `1.5 GiB`, `16 TiB`, `2^80 bytes`: sizes people can read. */
export function describeBytes(n: number): string {
  if (!Number.isFinite(n)) return 'more than 2^53 bytes';
  if (n === MAX_ARRAY_BYTES) return '2^53 bytes (8 PiB)';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let k = 0;
  while (n >= 1024 && k < units.length - 1) { n /= 1024; k++; }
  return k === 0 ? `${n} bytes` : `${Number(n.toPrecision(3))} ${units[k]}`;
}

/** ` (N bytes)` where rounding to three digits would hide how far over a limit N is. */
const exactly = (bytes: number): string => (Number.isFinite(bytes) ? ` (${bytes} bytes)` : '');

/** Why no target can hold shape s (a dim past 2^53, or more than MAX_ARRAY_BYTES), or undefined. */
export function shapeTooLarge(s: Shape): string | undefined {
  for (const leaf of leaves(s)) {
    // -1 is a dynamic dim (`?`); anything else must be an integer a JS number holds exactly.
    const bad = leaf.dims.find((d) => !Number.isSafeInteger(d) && d !== -1);
    if (bad !== undefined) return `dimension ${bad} is not an integer below 2^53 (kiln holds dims exactly, up to 2^53 - 1)`;
    const bytes = arrayBytes(leaf);
    if (bytes > MAX_ARRAY_BYTES)
      return `${shapeToString(leaf, { layout: false })} needs ${describeBytes(bytes)}${exactly(bytes)}; no target holds an array over ${describeBytes(MAX_ARRAY_BYTES)}`;
  }
  return undefined;
}

/** Why the interpreter cannot hold shape s, or undefined. */
export function interpreterTooLarge(s: Shape): string | undefined {
  for (const leaf of leaves(s)) {
    const n = exactElements(leaf.dims);
    if (n > MAX_INTERPRETER_ELEMENTS)
      return `${shapeToString(leaf, { layout: false })} has ${Number.isFinite(n) ? n : 'more than 2^53'} elements; ` +
        `the interpreter holds at most 2^28 (${MAX_INTERPRETER_ELEMENTS}) elements a value (${describeBytes(8 * MAX_INTERPRETER_ELEMENTS)} as f64)`;
  }
  return undefined;
}
