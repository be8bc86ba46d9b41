// A traced function as a `kiln compile` artifact: the folder that runs without kiln
// (docs/artifacts.md). The arrays it closes over (trained weights) become constants of the
// module, written to weights.bin. Node only: it writes files, and loads the artifact
// writer (ts-morph, binaryen) when called.
import { asKilnError } from '../../api/compile.js';
import { emitTraced, trace } from './trace.js';

export interface ArtifactOptions {
  /** The model's name (default: fn's name). */
  name?: string;
  /** Names for the inputs, one per leaf of the example arguments (default p0, p1, ...). */
  inputNames?: readonly string[];
  /** Names for the outputs, one per leaf of what fn returns. */
  outputNames?: readonly string[];
  /** Build for wasm threads (shared memory). */
  threads?: boolean;
}

/**
 * Traces `fn` on arguments shaped like `exampleArgs` and writes its wasm artifact under
 * `dir`; returns the names of the files written.
 */
export async function writeArtifact(fn: (...args: never[]) => unknown, exampleArgs: readonly unknown[], dir: string, opts: ArtifactOptions = {}): Promise<string[]> {
  try {
    const name = opts.name ?? (fn.name || 'model');
    const t = trace(name, fn, exampleArgs);
    const { module } = emitTraced(t, t.outputs, () => 'constant');
    const names = opts.inputNames ?? [];
    if (names.length > 0 && names.length !== module.entry.params.length)
      throw new Error(`kiln: writeArtifact got ${names.length} input names for ${module.entry.params.length} inputs`);
    names.forEach((n, i) => { module.entry.params[i].name = n; });
    await (await import('../../api/plain_binaryen.js')).loadBinaryenPlainly();
    const [{ buildArtifact, writeArtifact: write }, { verified }] = await Promise.all([import('../../artifact/index.js'), import('../../verified.js')]);
    const art = buildArtifact(verified(module, name), { outputNames: opts.outputNames, embedWeights: false, threads: opts.threads });
    write(art, dir);
    return [...art.files.keys()];
  } catch (e) {
    throw await asKilnError(e);
  }
}
