// What the hostile-input generator writes: a file (text or bytes) and, for files that
// are not plain files (a FIFO, a folder, a device), how to make them.

export interface HostileFile {
  /** File name in the output folder; its extension picks the commands run on it. */
  name: string;
  text?: string;
  bytes?: Uint8Array;
  /** Files the case needs beside it (external data), relative to the output folder. */
  extra?: { name: string; bytes?: Uint8Array; kind?: 'dir' | 'fifo' | 'sparse'; size?: number; link?: string }[];
  /** An .npy case is run as `--input 0=<this file>` against this HLO module instead. */
  npyFor?: string;
}
