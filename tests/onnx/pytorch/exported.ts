// Models exported by a PyTorch script (export.py here by default; bench/vision/export.py
// for the vision networks), exported once per version of the script and shared by the
// test files and benches that read them (each vitest worker would otherwise export its own copy).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'export.py');

/** Whether Debian's python3 can import these modules (`'torch, torchvision, onnx'`). */
export const pythonHas = (modules: string): boolean =>
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;

/** Debian's python3 with python3-torch and python3-onnx, which export.py needs. */
export const haveTorch = pythonHas('torch, onnx');

export const NO_TORCH = 'skipped: needs /usr/bin/python3 with python3-torch and python3-onnx (Debian packages)';

/**
 * The folder holding `script`'s output (one subfolder per model), exported now unless a
 * finished export of this very script is already in the temporary folder.
 */
export function exportedModels(script = SCRIPT): string {
  const text = readFileSync(script);
  const dir = join(tmpdir(), `kiln-torch-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) return dir;
  const work = mkdtempSync(join(tmpdir(), 'kiln-torch-'));
  const r = spawnSync(PYTHON, [script, work], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(`${basename(script)} failed: ${r.stderr}`);
  }
  try {
    renameSync(work, dir); // atomic: a folder under `dir`'s name is always a finished export
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    if (!existsSync(dir)) throw e; // another worker's export landed first otherwise
  }
  return dir;
}
