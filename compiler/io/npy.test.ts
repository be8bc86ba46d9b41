import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DType } from '../../ir/dtype.js';
import { ArrayLiteral, arrayLiteral, roundF16 } from '../../ir/literal.js';
import { array } from '../../ir/shape.js';
import { decodeF16, encodeF16, NpyError, readNpy, readNpyFile, writeNpy } from './npy.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/** A .npy file from a header dict text and raw data bytes, padded the way numpy pads. */
function mk(header: string, data: ArrayLike<number> = [], version = 1): Uint8Array {
  const hb = version === 3 ? new TextEncoder().encode(header) : Uint8Array.from(header, (c) => c.charCodeAt(0));
  const prefix = version === 1 ? 10 : 12;
  const hlen = hb.length + 1 + (64 - ((prefix + hb.length + 1) % 64));
  const out = new Uint8Array(prefix + hlen + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, hlen, true);
  else dv.setUint32(8, hlen, true);
  out.set(hb, prefix);
  out.fill(0x20, prefix + hb.length, prefix + hlen - 1);
  out[prefix + hlen - 1] = 0x0a;
  out.set(data, prefix + hlen);
  return out;
}
const hdr = (descr: string, shape: string, fortran = false) =>
  `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;

const values = (l: ArrayLiteral) => Array.from(l.data as ArrayLike<number | bigint>);
const roundTrip = (l: ArrayLiteral) => readNpy(writeNpy(l), 'rt');

describe('npy round trip', () => {
  const cases: [DType, (number | bigint | boolean)[]][] = [
    ['pred', [true, false, true, false, false, true]],
    ['s8', [-128, -1, 0, 1, 127, 5]],
    ['s16', [-32768, -1, 0, 1, 32767, 300]],
    ['s32', [-(2 ** 31), -1, 0, 1, 2 ** 31 - 1, 70000]],
    ['s64', [-(2n ** 63n), -1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n, 12345678901234567n]],
    ['u8', [0, 1, 127, 128, 255, 7]],
    ['u16', [0, 1, 65535, 256, 32768, 9]],
    ['u32', [0, 1, 2 ** 32 - 1, 2 ** 31, 65536, 3]],
    ['u64', [0n, 1n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n, 42n]],
    ['f16', [0.1, 65504, -0, 2 ** -24, -Infinity, NaN]],
    ['f32', [0.1, -3.4e38, 1e-45, -0, Infinity, NaN]],
    ['f64', [0.1, Number.MAX_VALUE, 5e-324, -0, -Infinity, NaN]],
  ];
  for (const [dtype, vals] of cases) {
    it(`${dtype} [2,3]`, () => {
      const l = arrayLiteral(array(dtype, [2, 3]), vals);
      const r = roundTrip(l);
      expect(r.shape).toEqual(l.shape);
      expect(r.data.constructor).toBe(l.data.constructor);
      expect(values(r)).toEqual(values(l)); // toEqual distinguishes -0 and matches NaN
    });
  }

  it('bf16 is written as <f4 and reads back as exact f32 values', () => {
    const l = arrayLiteral(array('bf16', [4]), [0.1, -3.0e38, 1e-40, 65504]);
    const bytes = writeNpy(l);
    expect(new TextDecoder().decode(bytes.subarray(10, 40))).toContain("'<f4'");
    const r = readNpy(bytes);
    expect(r.shape.dtype).toBe('f32');
    expect(values(r)).toEqual(values(l));
  });

  it('scalar, rank-1 and zero-size shapes', () => {
    for (const dims of [[], [1], [5], [0], [3, 0, 2], [0, 0], [1, 1, 1, 1]]) {
      const l = arrayLiteral(array('f32', dims), Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i / 4));
      const r = roundTrip(l);
      expect(r.shape.dims).toEqual(dims);
      expect(values(r)).toEqual(values(l));
    }
    const text = new TextDecoder().decode(writeNpy(arrayLiteral(array('s32', [5]))));
    expect(text).toContain("'shape': (5,), }");
    expect(new TextDecoder().decode(writeNpy(arrayLiteral(array('s32', []))))).toContain("'shape': (), }");
  });

  it('header is 64-byte aligned and newline-terminated, version 1.0', () => {
    for (const dims of [[], [3], [1000000, 2, 3]]) {
      const b = writeNpy(arrayLiteral(array('u8', dims.map((d) => Math.min(d, 2)))));
      const hlen = b[8] | (b[9] << 8);
      expect(b[6]).toBe(1);
      expect((10 + hlen) % 64).toBe(0);
      expect(b[10 + hlen - 1]).toBe(0x0a);
    }
  });

  it('writes version 2.0 when the header does not fit in 64 KiB', () => {
    const dims = new Array<number>(25000).fill(1);
    dims[3] = 2;
    const l = arrayLiteral(array('s16', dims), [-7, 9]);
    const b = writeNpy(l);
    expect(b[6]).toBe(2);
    const hlen = new DataView(b.buffer).getUint32(8, true);
    expect(hlen).toBeGreaterThan(0xffff);
    expect((12 + hlen) % 64).toBe(0);
    const r = readNpy(b);
    expect(r.shape.dims).toEqual(dims);
    expect(values(r)).toEqual([-7, 9]);
  });

  it('rejects element types without an encoding and mismatched data', () => {
    expect(() => writeNpy({ shape: array('c64', [1]), data: new Float64Array(1) })).toThrow(/c64 has no .npy encoding/);
    expect(() => writeNpy({ shape: array('f32', [3]), data: new Float64Array(2) })).toThrow(/needs 3 values/);
  });
});

describe('npy reading', () => {
  it('reads v2 and v3 headers', () => {
    const f = new Float32Array([1.5, -2]);
    const data = new Uint8Array(f.buffer);
    expect(values(readNpy(mk(hdr('<f4', '(2,)'), data, 2)))).toEqual([1.5, -2]);
    // v3 (UTF-8 header; kiln descrs are ASCII): also double quotes, another key order and a \x escape
    const r = readNpy(mk(`{"shape": (1, 2), "fortran_order": False, "descr": "\\x3cf4"}`, data, 3));
    expect(r.shape.dims).toEqual([1, 2]);
    expect(values(r)).toEqual([1.5, -2]);
  });

  it('reads big-endian data of every width', () => {
    const be = (descr: string, bytes: number[]) => values(readNpy(mk(hdr(descr, `(${bytes.length / +descr[2]},)`), bytes)));
    expect(be('>i2', [0xff, 0xfe, 0x01, 0x00])).toEqual([-2, 256]);
    expect(be('>u4', [0xde, 0xad, 0xbe, 0xef])).toEqual([0xdeadbeef]);
    expect(be('>i8', [0x80, 0, 0, 0, 0, 0, 0, 1])).toEqual([-(2n ** 63n) + 1n]);
    expect(be('>u8', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])).toEqual([2n ** 64n - 2n]);
    expect(be('>f2', [0x3c, 0x00, 0xc0, 0x00])).toEqual([1, -2]);
    expect(be('>f4', [0x3f, 0xc0, 0, 0])).toEqual([1.5]);
    expect(be('>f8', [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18])).toEqual([Math.PI]);
    expect(be('|i1', [0xff])).toEqual([-1]);
    expect(be('|b1', [0, 1, 2])).toEqual([0, 1, 1]);
  });

  it('does not modify its input and reads from a Buffer view at an odd offset', () => {
    const file = mk(hdr('>i4', '(2,)'), [0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe]);
    const pool = Buffer.alloc(file.length + 3);
    pool.set(file, 3);
    const view = pool.subarray(3);
    const before = Buffer.from(view);
    expect(values(readNpy(view))).toEqual([1, -2]);
    expect(Buffer.compare(view, before)).toBe(0);
  });

  it('transposes Fortran-order data into row-major', () => {
    // a[i, j] = 10*i + j for shape (2, 3), stored column-major
    const r = readNpy(mk(hdr('|u1', '(2, 3)', true), [0, 10, 1, 11, 2, 12]));
    expect(values(r)).toEqual([0, 1, 2, 10, 11, 12]);
    // rank <= 1 Fortran is the same as C order
    expect(values(readNpy(mk(hdr('|u1', '(3,)', true), [4, 5, 6])))).toEqual([4, 5, 6]);
    const w = readNpy(mk(hdr('<i8', '(2, 2)', true), new Uint8Array(new BigInt64Array([1n, 3n, 2n, 4n]).buffer)));
    expect(values(w)).toEqual([1n, 2n, 3n, 4n]);
  });

  it('accepts header syntax variations numpy and Python allow', () => {
    const d = [7];
    expect(values(readNpy(mk(`{"descr":"|u1","fortran_order":False,"shape":(1L,)}`, d)))).toEqual([7]);
    expect(values(readNpy(mk(`{ 'descr' : 'u1' , 'shape' : [1] , 'fortran_order' : False }`, d)))).toEqual([7]);
    expect(readNpy(mk(`{'descr': '<f8', 'fortran_order': False, 'shape': ()}`, new Uint8Array(8))).shape.dims).toEqual([]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['bad magic', Uint8Array.from('\x93NUMPX\x01\x00', (c) => c.charCodeAt(0)), /bad magic/],
    ['not npy at all', new TextEncoder().encode('PK\x03\x04zipfile'), /bad magic/],
    ['empty', new Uint8Array(0), /empty file/],
    ['magic only', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1]), /truncated header/],
    ['no length', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 5]), /truncated header/],
    ['header cut', mk(hdr('<f4', '(1,)')).subarray(0, 40), /truncated header/],
    ['version', (() => { const b = mk(hdr('<f4', '()'), [0, 0, 0, 0]); b[6] = 4; return b; })(), /version 4\.0/],
    ['minor version', (() => { const b = mk(hdr('<f4', '()'), [0, 0, 0, 0]); b[7] = 1; return b; })(), /version 1\.1/],
    ['data cut', mk(hdr('<f4', '(2, 3)'), new Uint8Array(23)), /truncated data: f32\[2,3\] \('<f4'\) needs 24 bytes, the file has 23/],
    ['trailing', mk(hdr('<f4', '(1,)'), new Uint8Array(5)), /1 unexpected bytes after/],
    ['complex', mk(hdr('<c8', '(1,)'), new Uint8Array(8)), /unsupported dtype descr '<c8'/],
    ['string', mk(hdr('|S5', '(1,)'), new Uint8Array(5)), /unsupported dtype descr '\|S5'/],
    ['unicode', mk(hdr('<U3', '(1,)'), new Uint8Array(12)), /unsupported dtype descr/],
    ['datetime', mk(hdr('<M8[ns]', '(1,)'), new Uint8Array(8)), /unsupported dtype descr/],
    ['object', mk(hdr('|O', '(2,)'), new Uint8Array(16)), /object arrays/],
    ['structured', mk(`{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(8)), /structured/],
    ['missing key', mk(`{'descr': '<f4', 'shape': (1,), }`, new Uint8Array(4)), /expected \{descr, fortran_order, shape\}/],
    ['extra key', mk(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}`, new Uint8Array(4)), /header keys/],
    ['not a dict', mk(`('<f4', False, (1,))`, new Uint8Array(4)), /not a dict/],
    ['negative dim', mk(hdr('<f4', '(-1,)')), /non-negative integers/],
    ['scalar shape', mk(hdr('<f4', '3')), /shape must be a tuple/],
    ['string dim', mk(hdr('<f4', "('2',)")), /non-negative integers/],
    ['fortran None', mk(`{'descr': '<f4', 'fortran_order': None, 'shape': ()}`, new Uint8Array(4)), /fortran_order must be True or False/],
    ['syntax', mk(`{'descr': '<f4' 'fortran_order': False, 'shape': ()}`), /expected ',' or '}'/],
    ['unterminated', mk(`{'descr': '<f4, 'fortran_order': False, 'shape': ()}`), /unexpected|expected|unterminated/],
    ['open dict', mk(`{'descr': '<f4', 'fortran_order': False, 'shape': ()`), /header ends early/],
    ['junk after', mk(`{'descr': '<f4', 'fortran_order': False, 'shape': ()} x`), /after the header dict/],
    ['call', mk(`{'descr': dtype('<f4'), 'fortran_order': False, 'shape': ()}`), /unexpected "dtype/],
    ['deep', mk(`{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(100)}}`), /nests too deeply/],
    ['bad utf8 v3', mk(hdr('<f4', '()') + '\xff', new Uint8Array(4), 2).map((b, i) => (i === 6 ? 3 : b)), /UTF-8/],
  ];
  for (const [name, bytes, re] of bad)
    it(`rejects: ${name}`, () => {
      expect(() => readNpy(bytes, 'weights/w.npy')).toThrow(re);
      expect(() => readNpy(bytes, 'weights/w.npy')).toThrow(/^weights\/w\.npy: /);
    });

  it('checks the declared size before allocating', () => {
    // 2^40 * 2^40 * 8 bytes declared, 16 present: must fail fast, not try to allocate
    const b = mk(hdr('<f8', `(${2 ** 40}, ${2 ** 40})`), new Uint8Array(16));
    expect(() => readNpy(b, 'huge.npy')).toThrow(/huge\.npy: truncated data/);
    // overflow past Infinity followed by a zero dim is an empty array, not NaN
    const z = readNpy(mk(hdr('<f8', `(${2 ** 52}, ${2 ** 52}, ${2 ** 52}, ${2 ** 52}, ${2 ** 52}, ${2 ** 52}, 0)`)));
    expect(z.data.length).toBe(0);
    expect(() => readNpy(mk(hdr('<f8', '(100000000000000000000,)')))).toThrow(/non-negative integers/);
  });
});

describe('f16 bits', () => {
  it('decode/encode round-trips all 65536 patterns (NaNs canonicalize)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = decodeF16(h);
      if (Number.isNaN(v)) {
        expect((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0).toBe(true);
        continue;
      }
      if (roundF16(v) !== v) throw new Error(`decodeF16(${h.toString(16)}) = ${v} is not an f16 value`);
      if (encodeF16(v) !== h) throw new Error(`encodeF16(${v}) = ${encodeF16(v).toString(16)}, expected ${h.toString(16)}`);
    }
    expect(encodeF16(NaN)).toBe(0x7e00);
    expect(encodeF16(65520)).toBe(0x7c00); // rounds to infinity
    expect(encodeF16(2 ** -25)).toBe(0); // ties to even: zero
    expect(encodeF16(3 * 2 ** -26)).toBe(1);
  });
});

describe('numpy fixtures (compiler/io/fixtures/make.py)', () => {
  const read = (name: string) => readNpy(fixture(name), name);

  it('f32 2x3', () => {
    const r = read('f32_2x3.npy');
    expect(r.shape).toEqual(array('f32', [2, 3]));
    expect(values(r)).toEqual([Math.fround(0.1), -2.5, 3, Math.fround(1e-40), Infinity, -0]);
  });
  it('i64 and u64 beyond 2^53', () => {
    const r = read('i64_big.npy');
    expect(r.data).toBeInstanceOf(BigInt64Array);
    expect(values(r)).toEqual([2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, -1n]);
    const u = read('u64_big.npy');
    expect(u.data).toBeInstanceOf(BigUint64Array);
    expect(values(u)).toEqual([2n ** 64n - 1n, 2n ** 53n + 1n, 0n]);
  });
  it('f16', () => {
    const r = read('f16.npy');
    expect(r.shape.dtype).toBe('f16');
    expect(values(r)).toEqual([0.0999755859375, 65504, -0, 2 ** -24, 2 ** -14, -Infinity, 1.5, -3]);
  });
  it('bool and u8', () => {
    expect(read('bool.npy').shape.dtype).toBe('pred');
    expect(values(read('bool.npy'))).toEqual([1, 0, 1, 1]);
    expect(values(read('u8.npy'))).toEqual([0, 1, 127, 128, 255]);
  });
  it('big-endian >i4', () => {
    const r = read('i4_be.npy');
    expect(r.shape).toEqual(array('s32', [2, 2]));
    expect(values(r)).toEqual([1, -2, 2 ** 31 - 1, -(2 ** 31)]);
  });
  it('scalar and zero-size', () => {
    const s = read('f64_scalar.npy');
    expect(s.shape).toEqual(array('f64', []));
    expect(values(s)).toEqual([3.25]);
    const z = read('f32_zero.npy');
    expect(z.shape.dims).toEqual([0, 3]);
    expect(z.data.length).toBe(0);
  });
  it('Fortran order (s16 2x3x4)', () => {
    const r = read('i2_fortran.npy');
    expect(r.shape).toEqual(array('s16', [2, 3, 4]));
    expect(values(r)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });
  it('format versions 2.0 and 3.0', () => {
    expect(values(read('f32_v2.npy'))).toEqual([1, 2, 3]);
    const v3 = read('f32_v3.npy');
    expect(v3.shape.dims).toEqual([1, 2]);
    expect(values(v3)).toEqual([1, 2]);
  });
  it('writeNpy reproduces numpy.save byte for byte', () => {
    for (const name of ['f32_2x3.npy', 'i64_big.npy', 'u64_big.npy', 'f16.npy', 'bool.npy', 'u8.npy', 'f64_scalar.npy', 'f32_zero.npy']) {
      const file = fixture(name);
      expect(Buffer.from(writeNpy(readNpy(file, name))).equals(file), name).toBe(true);
    }
  });
});

describe('f16 encoding rounds like roundF16', () => {
  it('agrees with ir/literal roundF16 on random doubles, halfway points and edges', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const xs: number[] = [65504, 65519.99, 65520, 1e9, 2 ** -14, 2 ** -14 - 2 ** -25, 2 ** -24, 2 ** -25, 2 ** -25 + 2 ** -40, 5e-324];
    for (let h = 0; h < 0x7c00; h += 7) xs.push(decodeF16(h) + 2 ** -40 * decodeF16(h), (decodeF16(h) + decodeF16(h + 1)) / 2);
    for (let k = 0; k < 20000; k++) xs.push((rnd() - 0.5) * 2 ** (rnd() * 44 - 28));
    for (const x of xs) for (const v of [x, -x]) {
      const want = roundF16(v), got = decodeF16(encodeF16(v));
      if (!Object.is(got, want)) throw new Error(`encodeF16(${v}) decodes to ${got}, roundF16 gives ${want}`);
    }
  });
});

describe('npy files on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-npy-'));
  const good = writeNpy({ shape: { kind: 'array', dtype: 'f32', dims: [2] }, data: Float64Array.from([1, -2]) });

  it('reads a regular file', () => {
    writeFileSync(join(dir, 'ok.npy'), good);
    expect(Array.from(readNpyFile(join(dir, 'ok.npy')).data as Float64Array)).toEqual([1, -2]);
  });
  it('refuses a folder, a FIFO and a device without blocking or reading them', () => {
    mkdirSync(join(dir, 'folder.npy'));
    execFileSync('mkfifo', [join(dir, 'fifo.npy')]);
    expect(() => readNpyFile(join(dir, 'folder.npy'))).toThrow(/not a regular file \(a directory\)/);
    expect(() => readNpyFile(join(dir, 'fifo.npy'))).toThrow(/not a regular file \(a FIFO\)/);
    expect(() => readNpyFile('/dev/zero')).toThrow(/not a regular file \(a device\)/);
  });
  it('refuses a header that claims more data than the file has, before allocating it', () => {
    writeFileSync(join(dir, 'short.npy'), good.subarray(0, good.length - 4));
    expect(() => readNpyFile(join(dir, 'short.npy'))).toThrow(NpyError);
    expect(() => readNpyFile(join(dir, 'short.npy'))).toThrow(/truncated data: f32\[2\] \('<f4'\) needs 8 bytes, the file has 4/);
  });
});
