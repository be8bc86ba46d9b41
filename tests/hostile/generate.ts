// Writes the hostile-input campaign into a folder and says which kiln commands to run
// on each file. Deterministic: the same files and runs every time.
//   node --import ./bin/register.mjs tests/hostile/generate.ts OUTDIR   (writes, lists the runs)
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, symlinkSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hloCases } from './hlo_cases.js';
import { NPY_TARGET, npyCases } from './npy_cases.js';
import { onnxCases } from './onnx_cases.js';
import type { HostileFile } from './types.js';

export interface HostileRun {
  /** `command:file`, for reports. */
  label: string;
  command: string;
  args: string[];
  /** Needs its own process: it names a FIFO or a device (which would block or fill the test's own process). */
  needsProcess: boolean;
  /** Exit 0 is fine too: the file is valid for this command (HostileFile.mayPass). */
  mayPass: boolean;
}

const COMMANDS_OF: Record<string, (file: string, out: string) => [string, string[]][]> = {
  hlo: (f, out) => [
    ['opt', ['opt', f]],
    ['run', ['run', f]],
    ['run-wasm', ['run', f, '--backend', 'wasm']],
    ['compile', ['compile', f, '-o', join(out, 'compiled')]],
  ],
  onnx: (f, out) => [
    ['import', ['import', f, '-o', join(out, 'imported.hlo')]],
    ['opt', ['opt', f]],
    ['run', ['run', f]],
    ['compile', ['compile', f, '-o', join(out, 'compiled')]],
  ],
};

function writeCase(dir: string, c: HostileFile): void {
  if (c.text !== undefined || c.bytes !== undefined) writeFileSync(join(dir, c.name), c.bytes ?? c.text!);
  for (const e of c.extra ?? []) {
    const path = join(dir, e.name);
    if (e.kind === 'dir') mkdirSync(path, { recursive: true });
    else if (e.kind === 'fifo') execFileSync('mkfifo', [path]);
    else if (e.link) symlinkSync(e.link, path);
    else if (e.kind === 'sparse') { const fd = openSync(path, 'w'); ftruncateSync(fd, e.size!); closeSync(fd); }
    else writeFileSync(path, e.bytes ?? new Uint8Array(0));
  }
}

/** A FIFO blocks a reader and a device never ends: were kiln to read one, only a child process could be killed. */
const usesFifo = (c: HostileFile) => (c.extra ?? []).some((e) => e.kind === 'fifo' || e.link?.startsWith('/dev/'));

/** Writes every hostile file under `dir` (which must be empty) and returns the runs. */
export function generateHostile(dir: string): HostileRun[] {
  const out = join(dir, 'out');
  mkdirSync(out, { recursive: true });
  const runs: HostileRun[] = [];
  for (const c of [...hloCases(), ...onnxCases(), ...npyCases()]) {
    writeCase(dir, c);
    const file = join(dir, c.name);
    const needsProcess = usesFifo(c);
    if (c.npyFor) {
      const target = join(dir, NPY_TARGET);
      runs.push({ label: `run:${c.name}`, command: 'run-npy', args: ['run', target, '--input', `0=${file}`], needsProcess, mayPass: false });
      continue;
    }
    if (c.name === NPY_TARGET) continue;
    const ext = c.name.slice(c.name.lastIndexOf('.') + 1);
    for (const [command, args] of COMMANDS_OF[ext](file, out)) {
      if (c.only && !c.only.includes(command)) continue;
      const mayPass = c.mayPass === 'all' || (c.mayPass ?? []).includes(command);
      runs.push({ label: `${command}:${c.name}`, command, args, needsProcess, mayPass });
    }
  }
  return runs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: generate.ts OUTDIR');
  for (const r of generateHostile(dir)) console.log(`${r.label}\tkiln ${r.args.join(' ')}`);
}
