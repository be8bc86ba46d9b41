// What the hostile-input generator writes: a file (text or bytes) and, for files that
// are not plain files (a FIFO, a folder, a device), how to make them.

export interface HostileFile {
  /** File name in the output folder; its extension picks the commands run on it. */
  name: string;
  text?: string;
  bytes?: Uint8Array;
  /** Files the case needs beside it (external data), relative to the output folder. */
  extra?: { name: string; bytes?: Uint8Array; kind?: 'dir' | 'fifo' | 'sparse'; size?: number; link?: string }[];
  /**
   * Commands that may accept this file (exit 0): it is valid for them, hostile only to
   * the others (a 16 GiB parameter prints fine with `opt`; a 10,000-deep call chain is
   * legal HLO). 'all' for files that test only that kiln survives them.
   */
  mayPass?: readonly string[] | 'all';
  /** Run only these commands (where the others would only repeat an expensive compile of a valid file). */
  only?: readonly string[];
  /** An .npy case is run as `--input 0=<this file>` against this HLO module instead. */
  npyFor?: string;
}
