// ONNX's own backend test cases (Debian's libonnx-testdata): each case is a folder with
// model.onnx and test_data_set_*/input_N.pb, output_N.pb. A case runs on a kiln backend
// and its outputs are compared at ONNX's tolerances (rtol 1e-3, atol 1e-7).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ArrayLiteral, Literal } from '../ir/literal.js';
import { BACKENDS, type Backend } from './backend.js';
import { OnnxError } from './frontends/onnx/errors.js';
import { importOnnxFile } from './frontends/onnx/import.js';
import { readTensorFile } from './frontends/onnx/model.js';

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

/** Runs one case's every data set on a backend. Import errors count as 'unsupported'. */
export async function runCase(name: string, root = ONNX_TESTDATA, backend: Backend = BACKENDS[0]): Promise<CaseResult> {
  const dir = join(root, name);
  let imported;
  try {
    imported = importOnnxFile(join(dir, 'model.onnx'));
  } catch (e) {
    if (e instanceof OnnxError) return { name, status: 'unsupported', reason: firstLine(e, dir) };
    return { name, status: 'fail', reason: `import crashed: ${firstLine(e, dir)}` };
  }
  try {
    const prepared = await backend.prepare(imported.module);
    for (const set of readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort()) {
      const inputs = imported.inputs.map((_, i) => readTensorFile(join(dir, set, `input_${i}.pb`)));
      const expected = imported.outputs.map((_, i) => readTensorFile(join(dir, set, `output_${i}.pb`)));
      const got = await prepared.run(inputs);
      const outs = expected.length === 1 ? [got] : (got as { elements: readonly Literal[] }).elements;
      for (let i = 0; i < expected.length; i++) {
        const why = mismatch(outs[i] as ArrayLiteral, expected[i]);
        if (why) return { name, status: 'fail', reason: `${set} output ${i} (${imported.outputs[i]}): ${why}` };
      }
    }
    return { name, status: 'pass' };
  } catch (e) {
    return { name, status: 'fail', reason: firstLine(e, dir) };
  }
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
