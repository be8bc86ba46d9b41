// Scripted PyTorch recurrent models (tests/onnx/pytorch/export_control.py): an LSTM
// whose forward branches on an int input and on its state's values (If nodes nested 3
// deep), and an LSTMCell stepped by a for loop with an If in its body (an ONNX Loop).
// kiln must take, at run time, the path PyTorch took, for inputs that reach every leaf.
// Exported afresh into a temporary folder, as pytorch.test.ts does; without
// python3-torch these tests are skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { interpreterBackend } from '../../compiler/backend.js';
import { importOnnxFile } from '../../compiler/frontends/onnx/file.js';
import type { ImportedModel } from '../../compiler/frontends/onnx/import.js';
import { readNpy } from '../../compiler/io/npy.js';
import { wasmBackend } from '../../compiler/wasm_backend.js';
import type { ArrayLiteral } from '../../ir/literal.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'pytorch', 'export_control.py');
const haveTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
const RTOL = 1e-4, ATOL = 1e-5;

/** Per model: its inputs, how many cases, and the control flow its import must keep. */
const MODELS = [
  { name: 'branchy_lstm', inputs: ['x', 'rate', 'threshold'], cases: 5, conditionals: 4, whiles: 0 },
  { name: 'looped_cell', inputs: ['x', 'threshold'], cases: 3, conditionals: 1, whiles: 1 },
];

function closeTo(got: ArrayLiteral, want: ArrayLiteral): string | undefined {
  if (got.shape.dims.join() !== want.shape.dims.join()) return `shape [${got.shape.dims}] vs PyTorch [${want.shape.dims}]`;
  for (let i = 0; i < want.data.length; i++) {
    const a = Number(got.data[i]), b = Number(want.data[i]);
    if (!(Math.abs(a - b) <= ATOL + RTOL * Math.abs(b))) return `element ${i}: ${a} vs PyTorch ${b}`;
  }
  return undefined;
}

const count = (m: ImportedModel, opcode: string) =>
  m.module.computations.flatMap((c) => c.instructions).filter((i) => i.opcode === opcode).length;

describe.skipIf(!haveTorch)('PyTorch recurrent models with If and Loop', () => {
  let out = '';
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'kiln-torch-control-'));
    const r = spawnSync(PYTHON, [SCRIPT, out], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`export_control.py failed: ${r.stderr}`);
  }, 300_000);

  for (const spec of MODELS)
    describe(spec.name, () => {
      let imported: ImportedModel;
      let cases: string[] = [];
      const dir = () => join(out, spec.name);
      const load = (c: string, file: string) => readNpy(readFileSync(join(dir(), c, file)));
      const inputsOf = (c: string) => spec.inputs.map((_, i) => load(c, `input_${i}.npy`));
      beforeAll(() => {
        cases = readdirSync(dir()).filter((d) => d.startsWith('case_')).sort();
        imported = importOnnxFile(join(dir(), 'model.onnx'));
      });

      it('keeps its branches and loop for run time', () => {
        expect(cases.length).toBe(spec.cases);
        expect(imported.inputs).toEqual(spec.inputs);
        expect(count(imported, 'conditional')).toBe(spec.conditionals);
        expect(count(imported, 'while')).toBe(spec.whiles);
      });

      it('matches PyTorch on the interpreter on every path', async () => {
        const run = await interpreterBackend.prepare(imported.module);
        for (const c of cases) expect(closeTo((await run.run(inputsOf(c))) as ArrayLiteral, load(c, 'output_0.npy')), c).toBeUndefined();
      });

      it('on wasm matches PyTorch', async () => {
        const run = await wasmBackend.prepare(imported.module);
        for (const c of cases) expect(closeTo((await run.run(inputsOf(c))) as ArrayLiteral, load(c, 'output_0.npy')), c).toBeUndefined();
      }, 300_000);
    });
});
