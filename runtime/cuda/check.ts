// The checks runtime/cuda runs on a manifest before trusting its numbers: on a GPU a bad
// offset is not a thrown RangeError but a kernel writing past its allocation (another
// model's memory, or an illegal address that poisons the context), so every offset a run
// copies to or hands a kernel is checked against its region here, once, at load.
import { checkFile, checkTensors, manifestChecker, type ManifestChecker } from '../core/manifest.js';
import type { CudaArg, CudaKernel, CudaManifest, CudaStep } from './manifest.js';

// GPU memory is past 4 GiB (the wasm and WebGPU limit); a region past 1 TiB is damage.
const MAX_BYTES = 2 ** 40;
// The driver's limits on a launch's dimensions are at most 2^31 − 1; it checks the rest.
const MAX_DIM = 2 ** 31 - 1;
// Control flow nests as HLO computations do; deeper than this is a damaged file, not a model.
const MAX_DEPTH = 64;

interface Regions { readonly arena: number; readonly constants: number; readonly kernels: readonly CudaKernel[] }

/** Throws a RangeError (`kiln cuda: <model>: manifest <what> <why>`) for the first thing wrong. */
export function checkManifest(m: CudaManifest): void {
  const c = manifestChecker('cuda', m, MAX_BYTES);
  if (m.format !== 'kiln-cuda/1') c.bad('format', `is ${JSON.stringify(m.format)}, not 'kiln-cuda/1'`);
  const arena = c.size('arenaBytes', m.arenaBytes);
  const constants = c.size('constantsBytes', m.constantsBytes);
  for (const t of checkTensors(m, c)) within(c, `tensor '${t.name}'`, c.size(`tensor '${t.name}' offset`, t.offset), t.bytes, arena, 'arena');
  if (m.weights !== undefined) checkFile(c, 'weights', m.weights);
  if (m.ptx !== undefined) checkFile(c, 'ptx', m.ptx);
  if (!Array.isArray(m.kernels)) c.bad('kernels', 'are missing');
  m.kernels.forEach((k, i) => checkKernel(c, k, `kernel ${i}`));
  checkSteps(c, m.steps, { arena, constants, kernels: m.kernels }, 'steps', 0);
}

function within(c: ManifestChecker, what: string, offset: number, bytes: number, regionBytes: number, region: string): void {
  if (offset + bytes > regionBytes) c.bad(what, `(${bytes} bytes at ${offset}) lies outside the ${region} (${regionBytes} bytes)`);
}

function checkKernel(c: ManifestChecker, k: CudaKernel, what: string): void {
  // The entry is looked up by name in the module: a C identifier, as nvcc exports it.
  if (typeof k.entry !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k.entry)) c.bad(`${what} entry`, `is ${JSON.stringify(k.entry)}, not a C identifier`);
  c.size(`${what} params`, k.params);
  c.size(`${what} sharedBytes`, k.sharedBytes);
}

function checkSteps(c: ManifestChecker, steps: readonly CudaStep[], r: Regions, what: string, depth: number): void {
  if (!Array.isArray(steps)) c.bad(what, 'are not a list of steps');
  if (depth > MAX_DEPTH) c.bad(what, `nest deeper than ${MAX_DEPTH}`);
  steps.forEach((s, i) => checkStep(c, s, r, `${what}[${i}]`, depth));
}

function checkStep(c: ManifestChecker, s: CudaStep, r: Regions, what: string, depth: number): void {
  switch (s?.k) {
    case 'launch': return checkLaunch(c, s, r, what);
    case 'while':
      within(c, `${what} pred`, c.size(`${what} pred`, s.pred), 1, r.arena, 'arena');
      checkSteps(c, s.cond, r, `${what}.cond`, depth + 1);
      checkSteps(c, s.body, r, `${what}.body`, depth + 1);
      return;
    case 'switch': {
      if (s.indexType !== 's32' && s.indexType !== 'pred') c.bad(`${what} indexType`, `is ${JSON.stringify(s.indexType)}, not 's32' or 'pred'`);
      within(c, `${what} index`, c.size(`${what} index`, s.index), s.indexType === 's32' ? 4 : 1, r.arena, 'arena');
      if (!Array.isArray(s.branches) || s.branches.length === 0) c.bad(`${what} branches`, 'are missing');
      s.branches.forEach((b, i) => checkSteps(c, b, r, `${what}.branches[${i}]`, depth + 1));
      return;
    }
    default: c.bad(what, `has unknown kind ${JSON.stringify((s as { k?: unknown } | undefined)?.k)}`);
  }
}

function checkLaunch(c: ManifestChecker, s: Extract<CudaStep, { k: 'launch' }>, r: Regions, what: string): void {
  const kernel = r.kernels[s.kernel];
  if (!Number.isInteger(s.kernel) || kernel === undefined) c.bad(`${what} kernel`, `is ${JSON.stringify(s.kernel)}, not one of the ${r.kernels.length} kernels`);
  dims(c, `${what} grid`, s.grid);
  dims(c, `${what} block`, s.block);
  if (!Array.isArray(s.args) || s.args.length !== kernel.params) c.bad(`${what} args`, `are not the ${kernel.params} pointers ${kernel.entry} takes`);
  s.args.forEach((a, i) => checkArg(c, a, r, `${what} arg ${i}`));
}

function dims(c: ManifestChecker, what: string, d: readonly number[]): void {
  const ok = Array.isArray(d) && d.length === 3 && d.every((x) => Number.isInteger(x) && x >= 1 && x <= MAX_DIM);
  if (!ok) c.bad(what, `is ${JSON.stringify(d)}, not three positive integers`);
}

function checkArg(c: ManifestChecker, a: CudaArg, r: Regions, what: string): void {
  if (a?.region !== 'arena' && a?.region !== 'constants') c.bad(what, `has region ${JSON.stringify(a?.region)}, not 'arena' or 'constants'`);
  // The kernel's buffer size is its own business; its start must lie in the region (its end may close it).
  within(c, what, c.size(`${what} offset`, a.offset), 0, a.region === 'arena' ? r.arena : r.constants, a.region);
}
