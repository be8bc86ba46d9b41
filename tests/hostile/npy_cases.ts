// Hostile .npy inputs for `kiln run --input`: bad magic, lying headers, Python code in
// the header, sizes no memory holds, and paths that are not regular files.
import type { HostileFile } from './types.js';

/** The module every .npy case feeds: one f32[2,3] parameter. */
export const NPY_TARGET = 'npy_target.hlo';
const TARGET_TEXT = 'HloModule npy_target\nENTRY e {\n  p = f32[2,3] parameter(0)\n  ROOT r = f32[2,3] negate(p)\n}\n';

/** A .npy file of version `major` with this header text and `data` bytes after it. */
export function npyBytes(header: string, data: number, major = 1): Uint8Array {
  const lenSize = major === 1 ? 2 : 4;
  const head = new TextEncoder().encode(header + '\n');
  const out = new Uint8Array(8 + lenSize + head.length + data);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (lenSize === 2) dv.setUint16(8, head.length, true);
  else dv.setUint32(8, head.length, true);
  out.set(head, 8 + lenSize);
  return out;
}

const dict = (shape: string, descr = '<f4', fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

function headers(): [string, Uint8Array][] {
  const ok = (shape: string, data: number, extra: Partial<{ descr: string; fortran: string; major: number }> = {}) =>
    npyBytes(dict(shape, extra.descr, extra.fortran), data, extra.major);
  const deep = '('.repeat(5000) + '2' + ')'.repeat(5000);
  const withLength = (len: number) => { const b = ok('(2, 3)', 24); new DataView(b.buffer).setUint16(8, len, true); return b; };
  return [
    ['empty', new Uint8Array(0)],
    ['bad_magic', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])],
    ['magic_only', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])],
    ['bad_version', ok('(2, 3)', 24, { major: 9 })],
    ['header_length_past_end', withLength(0xffff)],
    ['truncated_header', ok('(2, 3)', 24).subarray(0, 30)],
    ['truncated_data', ok('(2, 3)', 10)],
    ['extra_bytes', ok('(2, 3)', 40)],
    ['shape_2p40', ok('(1099511627776,)', 16)],
    ['shape_2p40_squared', ok('(1099511627776, 1099511627776)', 16)],
    ['shape_beyond_2p53', ok('(99999999999999999999999,)', 16)],
    ['shape_float', ok('(2.0, 3)', 24)],
    ['shape_negative', ok('(-2, 3)', 24)],
    ['shape_not_tuple', ok("'abc'", 24)],
    ['fortran_int', ok('(2, 3)', 24, { fortran: '1' })],
    ['python_code', npyBytes("{'descr': __import__('os').system('echo pwned'), 'fortran_order': False, 'shape': (2, 3)}", 24)],
    ['lambda', npyBytes("{'descr': (lambda: 0)(), 'fortran_order': False, 'shape': (2, 3)}", 24)],
    ['deep_nesting', npyBytes(`{'descr': '<f4', 'fortran_order': False, 'shape': ${deep}}`, 24)],
    ['missing_keys', npyBytes("{'descr': '<f4'}", 24)],
    ['extra_key', npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 24)],
    ['object_dtype', ok('(2, 3)', 48, { descr: '|O' })],
    ['structured_dtype', npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 3)}", 24)],
    ['unknown_dtype', ok('(2, 3)', 24, { descr: '<q9' })],
    ['unterminated_string', npyBytes("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}", 24)],
    ['not_a_dict', npyBytes('[1, 2, 3]', 24)],
    ['header_not_utf8_v3', (() => { const b = ok('(2, 3)', 24, { major: 3 }); b[14] = 0xff; return b; })()],
    ['wrong_shape', ok('(3, 2, 1)', 24)],
    ['wrong_dtype', ok('(2, 3)', 48, { descr: '<f8' })],
    ['v2_huge_header_length', (() => { const b = ok('(2, 3)', 24, { major: 2 }); new DataView(b.buffer).setUint32(8, 0xfffffff0, true); return b; })()],
  ];
}

export function npyCases(): HostileFile[] {
  const files: HostileFile[] = [{ name: NPY_TARGET, text: TARGET_TEXT }];
  for (const [name, bytes] of headers()) files.push({ name: `${name}.npy`, bytes, npyFor: NPY_TARGET });
  // Paths that are not regular files: reading must not hang (FIFO), run forever (/dev/zero) or fail oddly (a folder).
  files.push({ name: 'fifo.npy', npyFor: NPY_TARGET, extra: [{ name: 'fifo.npy', kind: 'fifo' }] });
  files.push({ name: 'folder.npy', npyFor: NPY_TARGET, extra: [{ name: 'folder.npy', kind: 'dir' }] });
  files.push({ name: 'zero.npy', npyFor: NPY_TARGET, extra: [{ name: 'zero.npy', link: '/dev/zero' }] });
  files.push({ name: 'missing.npy', npyFor: NPY_TARGET, extra: [] });
  return files;
}
