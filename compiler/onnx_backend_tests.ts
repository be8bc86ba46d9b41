// ONNX's own backend test cases (Debian's libonnx-testdata): each case is a folder with
// model.onnx and test_data_set_*/input_N.pb, output_N.pb. A case runs on a kiln backend
// and its outputs are compared at ONNX's tolerances (rtol 1e-3, atol 1e-7).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ArrayLiteral, Literal } from '../ir/literal.js';
import type { Shape } from '../ir/shape.js';
import { BACKENDS, type Backend, type Executable } from './backend.js';
import { OnnxError } from './frontends/onnx/errors.js';
import { importOnnxFile, readModel, readTensorFile } from './frontends/onnx/file.js';

export const ONNX_TESTDATA = '/usr/share/libonnx-testdata/data';
/** The suites of the package that hold runnable cases (real/ holds only download links). */
export const ONNX_SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'] as const;

export type CaseStatus = 'pass' | 'fail' | 'unsupported';

export interface CaseResult {
  /** `suite/case`, e.g. `node/test_add_bcast`. */
  name: string;
  status: CaseStatus;
  /** Why it did not pass: the first line of the error or the mismatch. */
  reason?: string;
}

export function listCases(root = ONNX_TESTDATA): string[] {
  const out: string[] = [];
  for (const suite of ONNX_SUITES) {
    const dir = join(root, suite);
    if (!existsSync(dir)) continue;
    for (const c of readdirSync(dir).sort()) if (existsSync(join(dir, c, 'model.onnx'))) out.push(`${suite}/${c}`);
  }
  return out;
}

/** A case imported for running: the module and the note on how (shape-like inputs bound). */
export interface ImportedCase {
  readonly name: string;
  readonly dir: string;
  readonly imported: ImportedModel;
  readonly note?: string;
}

type ImportedModel = ReturnType<typeof importOnnxFile>;

/** Runs one case's every data set on a backend. Import errors count as 'unsupported'. */
export async function runCase(name: string, root = ONNX_TESTDATA, backend: Backend = BACKENDS[0]): Promise<CaseResult> {
  const c = importCase(name, root);
  if (!('imported' in c)) return c;
  let prepared: Executable;
  try {
    prepared = await backend.prepare(c.imported.module);
  } catch (e) {
    return { name, status: 'fail', reason: firstLine(e, c.dir) };
  }
  return checkCase(c, prepared);
}

/**
 * Runs many cases on a backend that prepares many modules at once (cuda-cpu: one g++ call
 * per chunk), `parallel` chunks at a time, so one chunk's build overlaps another's runs.
 * The results are runCase's, in the order of `names`.
 */
export async function runCases(names: readonly string[], root: string, backend: Backend, o: { chunk?: number; parallel?: number } = {}): Promise<CaseResult[]> {
  const size = o.chunk ?? 96;
  const chunks: number[][] = [];
  for (let i = 0; i < names.length; i += size) chunks.push(names.slice(i, i + size).map((_, j) => i + j));
  const results: CaseResult[] = new Array(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let k = next++; k < chunks.length; k = next++) {
      const got = await runChunk(chunks[k].map((i) => names[i]), root, backend);
      chunks[k].forEach((i, j) => (results[i] = got[j]));
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.parallel ?? 2, chunks.length) }, worker));
  return results;
}

/** One chunk: import each case, prepare the imported ones together, run them one by one. */
async function runChunk(names: readonly string[], root: string, backend: Backend): Promise<CaseResult[]> {
  const cases = names.map((n) => importCase(n, root));
  const ready = cases.filter((c): c is ImportedCase => 'imported' in c);
  const modules = ready.map((c) => c.imported.module);
  const exes = backend.prepareMany ? await backend.prepareMany(modules)
    : await Promise.all(modules.map((m) => backend.prepare(m).catch((e: unknown) => e as Error)));
  const results: CaseResult[] = [];
  for (const c of cases) {
    if (!('imported' in c)) { results.push(c); continue; }
    const exe = exes[ready.indexOf(c)];
    results.push(exe instanceof Error ? { name: c.name, status: 'fail', reason: firstLine(exe, c.dir) } : await checkCase(c, exe));
  }
  return results;
}

/** A case's model imported, or its result when it does not import ('unsupported', or a crash). */
export function importCase(name: string, root = ONNX_TESTDATA): ImportedCase | CaseResult {
  const dir = join(root, name);
  try {
    try {
      return { name, dir, imported: importOnnxFile(join(dir, 'model.onnx')) };
    } catch (e) {
      // A shape, axes, pads or scales fed as a graph input: kiln's shapes are static, so
      // compile for the test's values of those inputs, as a user would with those values.
      if (!(e instanceof OnnxError) || !/must be known at compile time/.test(e.message)) throw e;
      const constants = shapeLikeInputs(dir);
      const imported = importOnnxFile(join(dir, 'model.onnx'), { constants });
      return { name, dir, imported, note: `inputs ${Object.keys(constants).join(', ')} bound at compile time` };
    }
  } catch (e) {
    if (e instanceof OnnxError) return { name, status: 'unsupported', reason: firstLine(e, dir) };
    return { name, status: 'fail', reason: `import crashed: ${firstLine(e, dir)}` };
  }
}

/** Runs every data set of an imported case on its prepared executable and compares at ONNX's tolerances. */
export async function checkCase(c: ImportedCase, prepared: Executable): Promise<CaseResult> {
  const { name, dir, imported, note } = c;
  try {
    for (const set of readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort()) {
      const params = imported.module.entry.params;
      const all = graphInputs(dir).map((n, i) => [n, join(dir, set, `input_${i}.pb`)] as const);
      const inputs = imported.inputs.map((n, i) => bf16Bits(readTensorFile(all.find(([m]) => m === n)![1]), params[i].shape));
      const rootShapes = imported.outputs.length === 1 ? [imported.module.entry.root.shape]
        : (imported.module.entry.root.shape as { elements: readonly Shape[] }).elements;
      const expected = imported.outputs.map((_, i) => bf16Bits(readTensorFile(join(dir, set, `output_${i}.pb`)), rootShapes[i]));
      const got = await prepared.run(inputs);
      const outs = expected.length === 1 ? [got] : (got as { elements: readonly Literal[] }).elements;
      for (let i = 0; i < expected.length; i++) {
        const why = mismatch(outs[i] as ArrayLiteral, expected[i]);
        if (why) return { name, status: 'fail', reason: `${set} output ${i} (${imported.outputs[i]}): ${why}` };
      }
    }
    return { name, status: 'pass', ...(note ? { reason: note } : {}) };
  } catch (e) {
    return { name, status: 'fail', reason: firstLine(e, dir) };
  }
}

/** The graph inputs that are not initializers, in order: what input_N.pb files hold. */
function graphInputs(dir: string): string[] {
  const g = readModel(join(dir, 'model.onnx')).proto.graph!;
  const inits = new Set(g.initializer.map((t) => t.name));
  return g.input.map((v) => v.name).filter((n) => !inits.has(n));
}

/**
 * The first data set's shape-like inputs by name: integer ones, and rank-0/1 ones of at
 * most 16 elements (Resize's float scales). Only one set's values can be compiled in.
 */
function shapeLikeInputs(dir: string): Record<string, ArrayLiteral> {
  const out: Record<string, ArrayLiteral> = {};
  const sets = readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort();
  if (sets.length !== 1) return out;
  graphInputs(dir).forEach((n, i) => {
    const l = readTensorFile(join(dir, sets[0], `input_${i}.pb`));
    if (/^[su]\d+$/.test(l.shape.dtype) || (l.shape.dims.length <= 1 && l.data.length <= 16)) out[n] = l;
  });
  return out;
}

/**
 * ONNX 1.12's test data stores bfloat16 tensors as UINT16 bit patterns; read them as the
 * bf16 values the model declares.
 */
function bf16Bits(l: ArrayLiteral, declared: Shape): ArrayLiteral {
  if (l.shape.dtype !== 'u16' || declared.kind !== 'array' || declared.dtype !== 'bf16') return l;
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  const data = Float64Array.from(l.data as Float64Array, (bits) => ((u[0] = bits << 16), f[0]));
  return { shape: { ...l.shape, dtype: 'bf16' }, data };
}

const firstLine = (e: unknown, dir: string): string =>
  String((e as Error).message ?? e).split('\n')[0].replaceAll(`${dir}/`, '');

/** Why got differs from want at ONNX's tolerances, or undefined when they agree. */
export function mismatch(got: ArrayLiteral | undefined, want: ArrayLiteral, rtol = 1e-3, atol = 1e-7): string | undefined {
  if (!got || got.shape.kind !== 'array') return 'no array output';
  const gd = got.shape.dims.join(','), wd = want.shape.dims.join(',');
  if (gd !== wd) return `shape [${gd}], expected [${wd}]`;
  if (got.shape.dtype !== want.shape.dtype) return `type ${got.shape.dtype}, expected ${want.shape.dtype}`;
  for (let i = 0; i < want.data.length; i++) {
    const a = Number(got.data[i]), b = Number(want.data[i]);
    if (typeof want.data[i] === 'bigint' ? got.data[i] === want.data[i] : a === b) continue;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (Math.abs(a - b) <= atol + rtol * Math.abs(b)) continue;
    return `element ${i} is ${a}, expected ${b}`;
  }
  return undefined;
}

/**
 * Cases kiln leaves out by design rather than by a missing op: string, complex and
 * sequence/optional/map values, and the training domain. The pass rate is over the rest.
 */
export function outOfScope(r: CaseResult): boolean {
  return r.status === 'unsupported' &&
    /element type (STRING|COMPLEX64|COMPLEX128)|is not a tensor|domain 'ai\.onnx\.preview\.training'|training_mode/.test(r.reason ?? '');
}

/** The suites the pass-rate target counts (simple/ holds a few whole models, counted apart). */
export const RATED_SUITES: readonly string[] = ['node', 'pytorch-converted', 'pytorch-operator'];

/**
 * Why a compiled backend refused a case the interpreter passes, by class: the refusals a
 * backend may give instead of a result (each a clear error before anything runs, never a
 * wrong number). A failure that matches none of these is a regression.
 */
export const REFUSALS: readonly { readonly name: string; readonly backends: readonly string[]; readonly test: (r: CaseResult) => boolean }[] = [
  { name: 'not compiled yet (an op lowering has no kernel for)', backends: ['kernels', 'wasm', 'webgpu', 'cuda', 'cuda-cpu'], test: (r) => /not compiled yet/.test(r.reason ?? '') },
  { name: 'test data gives an input another shape than the model declares', backends: ['kernels', 'wasm', 'webgpu', 'cuda', 'cuda-cpu'], test: (r) => /^input \w+: expected .*, got /.test(r.reason ?? '') && DATA_CONTRADICTS_MODEL.has(r.name) },
  // s64/u64 are emulated on vec2<u32> (targets/wgsl/lib_int64.ts); f64 is not.
  { name: '64-bit floats (WGSL has none)', backends: ['webgpu'], test: (r) => /\bf64\b.*WGSL has no 64-bit floats/.test(r.reason ?? '') },
  { name: "a loop nest past lavapipe's 65535-iteration cap", backends: ['webgpu'], test: (r) => /stops every loop nest after \d+, silently/.test(r.reason ?? '') },
];

/**
 * Cases whose test data gives an input another shape than the model declares (CastLike's
 * `like` is f32[1] in the data, f32[3,4] in the model). The interpreter never looks at
 * that input's values; a compiled model checks every input's shape and refuses.
 */
const DATA_CONTRADICTS_MODEL = new Set(['node/test_castlike_BFLOAT16_to_FLOAT', 'node/test_castlike_BFLOAT16_to_FLOAT_expanded']);

/** The refusal class of a result on `backend`, or undefined (a pass, or a failure no class explains). */
export function refusal(backend: string, r: CaseResult): string | undefined {
  if (r.status === 'pass') return undefined;
  return REFUSALS.find((k) => k.backends.includes(backend) && k.test(r))?.name;
}
