// NumPy .npy files <-> array literals.
//
// Reads format versions 1.0, 2.0 and 3.0, any byte order (`<`, `>`, `|`, `=`), C order and
// Fortran order (Fortran-order data is transposed into kiln's row-major layout). Writes
// version 1.0, or 2.0 when the header does not fit a 16-bit length, byte-for-byte as
// `numpy.save` would. Element types: pred `|b1`, s8..s64 `i1`..`i8`, u8..u64 `u1`..`u8`,
// f16 `f2`, f32 `f4`, f64 `f8`. NumPy has no bfloat16, so a bf16 literal is written as
// `<f4` (exact: every bf16 is an f32) and reads back as f32; a caller that wants bf16
// converts. NaN payloads and NaN signs are not preserved (literals hold JS numbers).
import { DType, byteSize } from '../../ir/dtype.js';
import { ArrayLiteral, Values, roundHalfEven } from '../../ir/literal.js';
import { exactElements, MAX_INTERPRETER_ELEMENTS } from '../../ir/limits.js';
import { elementCount, shapeToString, strides } from '../../ir/shape.js';
import { decodeF16 } from './f16.js';
import { type Fail, withRegularFile } from './regular_file.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const NATIVE_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** numpy.lib.format.GROWTH_AXIS_MAX_DIGITS: numpy pads headers so the shape can grow in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

/** dtype -> descr kind+size (byte order added on write); bf16 is written as f4, so f4 reads as f32. */
const CODES: Partial<Record<DType, string>> = {
  pred: 'b1', s8: 'i1', s16: 'i2', s32: 'i4', s64: 'i8', u8: 'u1', u16: 'u2', u32: 'u4', u64: 'u8',
  f16: 'f2', bf16: 'f4', f32: 'f4', f64: 'f8',
};
const FROM_CODE = new Map<string, DType>(
  Object.entries(CODES).filter(([t]) => t !== 'bf16').map(([t, c]) => [c, t as DType]),
);

type NumView = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
type ViewCtor = { new (length: number): NumView; new (buffer: ArrayBuffer): NumView };
/** Typed array holding the file's bits for each (non-64-bit-integer) dtype. */
const VIEW: Partial<Record<DType, ViewCtor>> = {
  pred: Uint8Array, s8: Int8Array, s16: Int16Array, s32: Int32Array, u8: Uint8Array, u16: Uint16Array,
  u32: Uint32Array, f16: Uint16Array, f32: Float32Array, f64: Float64Array,
};

// In a file of its own so that the ONNX frontend, which decodes f16 tensors, needs no node:fs.
export { decodeF16 } from './f16.js';

const f64 = new Float64Array(1), f64Words = new Uint32Array(f64.buffer), HI = NATIVE_LE ? 1 : 0;

/** Value -> IEEE half bits, rounding to nearest even (integer work on the double's bits: no pow/log). */
export function encodeF16(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  f64[0] = x;
  const hi = f64Words[HI], sign = (hi >>> 16) & 0x8000, e = ((hi >>> 20) & 0x7ff) - 1023;
  if (e < -14) return sign | roundHalfEven(Math.abs(x) * 2 ** 24); // subnormal/zero (may round up to 2^-14)
  if (e > 15) return sign | 0x7c00; // too big, or infinite
  // Keep the top 10 of 52 mantissa bits; round on the other 42. A carry out of the mantissa
  // bumps the exponent, which is right (and gives inf from e = 15).
  const rest = hi & 0x3ff, lo = f64Words[1 - HI];
  const up = rest > 0x200 || (rest === 0x200 && (lo !== 0 || (hi & 0x400) !== 0)) ? 1 : 0;
  return sign | (((e + 15) << 10) + ((hi >>> 10) & 0x3ff) + up);
}

let f16Table: Float64Array | undefined;
const f16Values = (): Float64Array => (f16Table ??= Float64Array.from({ length: 0x10000 }, (_, h) => decodeF16(h)));

/** Reverse the bytes of each `size`-byte element in place. */
function swapBytes(b: Uint8Array, size: number): void {
  for (let p = 0; p < b.length; p += size)
    for (let i = p, j = p + size - 1; i < j; i++, j--) { const t = b[i]; b[i] = b[j]; b[j] = t; }
}

// ---- header: the Python literal subset numpy writes (dict, tuple, list, str, int, bool, None) ----

type PyVal = string | number | boolean | null | PyVal[] | Map<string, PyVal>;

function parsePy(src: string, fail: (msg: string) => never): PyVal {
  let i = 0;
  const ws = () => { while (i < src.length && /\s/.test(src[i])) i++; };
  const value = (depth: number): PyVal => {
    ws();
    if (depth > 32) fail('header nests too deeply (more than 32 levels)');
    const c = src[i];
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      const items: PyVal[] = [], dict = new Map<string, PyVal>();
      let commas = 0;
      for (i++; ; ) {
        ws();
        if (src[i] === close) { i++; break; }
        const v = value(depth + 1);
        if (c === '{') {
          if (typeof v !== 'string') fail('header dict keys must be strings');
          ws();
          if (src[i++] !== ':') fail(`expected ':' at header offset ${i - 1}`);
          dict.set(v as string, value(depth + 1));
        } else items.push(v);
        ws();
        if (src[i] === ',') { i++; commas++; }
        else if (src[i] !== close) fail(i >= src.length ? 'header ends early' : `expected ',' or '${close}' at header offset ${i}`);
      }
      if (c === '(' && items.length === 1 && commas === 0) return items[0]; // `(x)` is just x
      return c === '{' ? dict : items;
    }
    if (c === "'" || c === '"') {
      let s = '';
      for (i++; src[i] !== c; i++) {
        if (i >= src.length || src[i] === '\n') fail('unterminated string in header');
        if (src[i] !== '\\') { s += src[i]; continue; }
        const e = src[++i];
        const hex = e === 'x' ? 2 : e === 'u' ? 4 : 0;
        if (hex) {
          const h = src.slice(i + 1, i + 1 + hex);
          if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== hex) fail(`bad escape '\\${e}${h}' in header`);
          s += String.fromCharCode(parseInt(h, 16));
          i += hex;
        } else s += ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[e] ?? e;
      }
      i++;
      return s;
    }
    const m = /^(?:True|False|None|[+-]?\d+L?)(?![\w.])/.exec(src.slice(i, i + 64));
    if (!m) fail(i >= src.length ? 'header ends early' : `unexpected ${JSON.stringify(src.slice(i, i + 12))} at header offset ${i}`);
    i += m![0].length;
    return m![0] === 'True' ? true : m![0] === 'False' ? false : m![0] === 'None' ? null : Number(m![0].replace('L', ''));
  };
  const v = value(0);
  ws();
  if (i !== src.length) fail(`unexpected ${JSON.stringify(src.slice(i, i + 12))} after the header dict`);
  return v;
}

// ---- reading ----

/** A malformed or unreadable .npy file: bad input, named by the file. */
export class NpyError extends Error {
  override name = 'NpyError';
}

/** What the header says, and where the data starts. */
interface NpyHeader {
  dtype: DType;
  dims: number[];
  descr: string;
  order: string;
  fortran: boolean;
  dataStart: number;
  /** Bytes of data the header declares (elements x element size), before allocating any. */
  dataBytes: number;
}

/**
 * numpy itself refuses headers over 10,000 bytes unless told otherwise (max_header_size);
 * kiln allows more (its writer pads huge-rank headers into version 2.0) but not without bound.
 */
const MAX_HEADER_BYTES = 1 << 20;

/** Parses the magic, version and header dict at the start of `bytes` (which may hold only the header). */
function parseHeader(bytes: Uint8Array, fail: (msg: string) => never): NpyHeader {
  if (bytes.length === 0) fail('empty file (not a .npy file)');
  for (let k = 0; k < Math.min(bytes.length, MAGIC.length); k++)
    if (bytes[k] !== MAGIC[k]) fail('not a .npy file (bad magic: expected "\\x93NUMPY")');
  if (bytes.length < 8) fail(`truncated header (file is ${bytes.length} bytes)`);
  const major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor !== 0) fail(`unsupported .npy format version ${major}.${minor}`);
  const lenSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenSize) fail(`truncated header (file is ${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = lenSize === 2 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (hlen > MAX_HEADER_BYTES) fail(`header of ${hlen} bytes is larger than kiln reads (${MAX_HEADER_BYTES})`);
  const start = 8 + lenSize + hlen;
  if (start > bytes.length) fail(`truncated header: it declares ${hlen} bytes, the file has ${bytes.length - 8 - lenSize} after the length`);

  const hb = bytes.subarray(8 + lenSize, start);
  let text = '';
  if (major === 3) {
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(hb); } catch { fail('header is not valid UTF-8'); }
  } else for (let k = 0; k < hb.length; k++) text += String.fromCharCode(hb[k]); // latin-1
  const header = parsePy(text, fail);
  if (!(header instanceof Map)) fail('header is not a dict');
  const h = header as Map<string, PyVal>;
  const keys = [...h.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') fail(`header keys are {${keys}}, expected {descr, fortran_order, shape}`);

  const descr = h.get('descr')!, fortran = h.get('fortran_order')!, dimsV = h.get('shape')!;
  if (typeof descr !== 'string') fail('structured (record) dtypes are not supported');
  const order = /^[<>|=]/.test(descr) ? descr[0] : '=';
  const code = order === descr[0] ? descr.slice(1) : descr;
  if (code === 'O' || code === 'O8' || code === 'O4') fail('object arrays (pickled Python objects) are not supported');
  const dtype = FROM_CODE.get(code) ?? fail(`unsupported dtype descr '${descr}'`);
  if (typeof fortran !== 'boolean') fail(`fortran_order must be True or False, got ${String(fortran)}`);
  if (!Array.isArray(dimsV) || !dimsV.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0))
    fail(`shape must be a tuple of non-negative integers below 2^53, got ${JSON.stringify(dimsV)}`);
  const dims = dimsV as number[];
  const dataBytes = exactElements(dims) * byteSize(dtype); // Infinity past 2^53: never a rounded size
  return { dtype, dims, descr, order, fortran: fortran as boolean, dataStart: start, dataBytes };
}

/** Checks the data the header declares against the bytes the file has, before allocating anything. */
function checkDataSize(h: NpyHeader, have: number, fail: (msg: string) => never): void {
  const shape = shapeToString({ kind: 'array', dtype: h.dtype, dims: h.dims });
  if (h.dataBytes > have)
    fail(`truncated data: ${shape} ('${h.descr}') needs ${Number.isFinite(h.dataBytes) ? h.dataBytes : 'more than 2^53'} bytes, the file has ${have}`);
  if (h.dataBytes < have) fail(`${have - h.dataBytes} unexpected bytes after the data of ${shape} ('${h.descr}')`);
  const n = exactElements(h.dims);
  if (n > MAX_INTERPRETER_ELEMENTS) fail(`${shape} has ${n} elements; kiln reads arrays of at most 2^28 elements`);
}

export function readNpy(bytes: Uint8Array, what = '.npy data'): ArrayLiteral {
  const fail: (msg: string) => never = (msg) => { throw new NpyError(`${what}: ${msg}`); };
  const h = parseHeader(bytes, fail);
  checkDataSize(h, bytes.length - h.dataStart, fail);
  return decodeData(h, bytes.subarray(h.dataStart));
}

/** The array of a header whose data (exactly h.dataBytes) is `body`. */
function decodeData(h: NpyHeader, body: Uint8Array): ArrayLiteral {
  const { dtype, dims } = h;
  const size = byteSize(dtype), n = h.dataBytes / size;
  const raw = new Uint8Array(h.dataBytes); // a fresh, aligned copy (bytes may be a Buffer view)
  raw.set(body.subarray(0, h.dataBytes));
  const little = h.order === '<' || (h.order !== '>' && NATIVE_LE);
  if (size > 1 && little !== NATIVE_LE) swapBytes(raw, size);
  let data: Values;
  if (dtype === 's64') data = new BigInt64Array(raw.buffer);
  else if (dtype === 'u64') data = new BigUint64Array(raw.buffer);
  else {
    const out = new Float64Array(n);
    out.set(new VIEW[dtype]!(raw.buffer));
    if (dtype === 'pred') for (let i = 0; i < n; i++) out[i] = out[i] !== 0 ? 1 : 0;
    if (dtype === 'f16') { const t = f16Values(); for (let i = 0; i < n; i++) out[i] = t[out[i]]; }
    data = out;
  }
  if (h.fortran && dims.length > 1) data = fromFortran(data, dims);
  return { shape: { kind: 'array', dtype, dims }, data };
}

/**
 * Reads a .npy file from disk: regular files only (a FIFO would block, /dev/zero never
 * ends, a folder is not data), and only as many bytes as the header declares, checked
 * against the file's size before the data is read or allocated.
 */
export function readNpyFile(path: string): ArrayLiteral {
  const fail: Fail = (msg) => { throw new NpyError(`${path}: ${msg}`); };
  return withRegularFile(path, fail, (f) => {
    const h = parseHeader(f.read(0, Math.min(f.size, 12 + MAX_HEADER_BYTES)), fail);
    checkDataSize(h, f.size - h.dataStart, fail);
    return decodeData(h, f.read(h.dataStart, h.dataBytes));
  }, '.npy inputs');
}

/** Column-major values -> row-major. */
function fromFortran(src: Values, dims: readonly number[]): Values {
  const out = new (src.constructor as new (n: number) => Values)(src.length);
  const cs = strides(dims), idx = dims.map(() => 0);
  let c = 0;
  for (let p = 0; p < src.length; p++) {
    (out as Float64Array)[c] = (src as Float64Array)[p]; // bigint arrays too: same element kind on both sides
    for (let k = 0; k < dims.length; k++) { // the first index varies fastest in the file
      c += cs[k];
      if (++idx[k] < dims[k]) break;
      c -= cs[k] * dims[k];
      idx[k] = 0;
    }
  }
  return out;
}

// ---- writing ----

/** Serialize an array literal as numpy.save would (bf16 as `<f4`; see the file comment). */
export function writeNpy(l: ArrayLiteral): Uint8Array {
  const { dtype, dims } = l.shape;
  const code = CODES[dtype];
  if (!code) throw new Error(`writeNpy: element type ${dtype} has no .npy encoding`);
  const n = elementCount(l.shape);
  if (l.data.length !== n) throw new Error(`writeNpy: ${shapeToString(l.shape)} needs ${n} values, literal has ${l.data.length}`);
  const size = Number(code.slice(1));

  let body: Values | NumView;
  if (dtype === 's64' || dtype === 'u64' || dtype === 'f64') body = l.data;
  else {
    const src = l.data as Float64Array, v = new VIEW[dtype === 'bf16' ? 'f32' : dtype]!(n);
    if (dtype === 'pred') for (let i = 0; i < n; i++) v[i] = src[i] !== 0 && !Number.isNaN(src[i]) ? 1 : 0;
    else if (dtype === 'f16') for (let i = 0; i < n; i++) v[i] = encodeF16(src[i]);
    else v.set(src);
    body = v;
  }
  const bodyBytes = new Uint8Array(body.buffer, body.byteOffset, n * size);

  const shapeRepr = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${size === 1 ? '|' : '<'}${code}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (dims.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(dims[0]).length));
  let prefix = 10, pad = 64 - ((prefix + header.length + 1) % 64);
  if (header.length + 1 + pad > 0xffff) { prefix = 12; pad = 64 - ((prefix + header.length + 1) % 64); }
  const hlen = header.length + 1 + pad;

  const out = new Uint8Array(prefix + hlen + n * size);
  out.set(MAGIC);
  out[6] = prefix === 10 ? 1 : 2;
  const dv = new DataView(out.buffer);
  if (prefix === 10) dv.setUint16(8, hlen, true);
  else dv.setUint32(8, hlen, true);
  for (let k = 0; k < header.length; k++) out[prefix + k] = header.charCodeAt(k); // ASCII
  out.fill(0x20, prefix + header.length, prefix + hlen - 1);
  out[prefix + hlen - 1] = 0x0a;
  out.set(bodyBytes, prefix + hlen);
  if (!NATIVE_LE && size > 1) swapBytes(out.subarray(prefix + hlen), size);
  return out;
}
