// Reading files a user names (.npy inputs, ONNX models, tensor files, external data):
// regular files only, and only the bytes asked for. A FIFO would block, /dev/zero never
// ends, a folder is not data; and pread of a range never loads a file over Node's 2 GiB
// readFile limit whole.
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Reports a problem with the file; the caller adds which file and what it was for. */
export type Fail = (msg: string) => never;

export interface OpenFile {
  readonly size: number;
  /** Exactly `length` bytes at `offset`; a file that ends first (or shrank under us) fails. */
  read(offset: number, length: number): Uint8Array;
}

/**
 * Opens `path`, refuses anything but a regular file before reading a byte, gives it to
 * `use`, and closes it. Opened O_NONBLOCK, so that a FIFO with no writer cannot block the
 * open itself. `what`, when given, names what kiln reads (".npy inputs") in the refusal.
 */
export function withRegularFile<T>(path: string, fail: Fail, use: (f: OpenFile) => T, what?: string): T {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    return fail(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) fail(`not a regular file (${fileKind(st)})${what ? `; kiln reads ${what} from regular files only` : ''}`);
    return use({ size: st.size, read: (offset, length) => readAt(fd, offset, length, fail) });
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, offset: number, length: number, fail: Fail): Uint8Array {
  const out = new Uint8Array(length);
  for (let got = 0; got < length; ) {
    const n = readSync(fd, out, got, length - got, offset + got);
    if (n === 0) fail(`truncated: the file ended at byte ${offset + got} while reading ${length} bytes at ${offset}`);
    got += n;
  }
  return out;
}

export const fileKind = (st: Stats): string =>
  st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a file';
