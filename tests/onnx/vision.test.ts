// The vision benchmark's networks and single ops (bench/vision/export.py: torchvision's
// MobileNets, ResNet-18, SqueezeNet, ShuffleNet, EfficientNet-B0, a small U-Net, and the
// ConvTranspose and depthwise cases of issue 15) must match PyTorch within 1e-4 absolute
// on the interpreter and on wasm. export.py calibrates each network (BatchNorm statistics,
// outputs of std ~1), so the absolute bound means something. The models are exported
// afresh into a temporary folder (ResNet-18 is 47 MB); without python3-torchvision the
// tests are skipped.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VISION_CASES, VISION_EXPORT_SCRIPT } from '../../bench/vision/cases.js';
import { BACKENDS } from '../../compiler/backend.js';
import { importOnnxFile } from '../../compiler/frontends/onnx/file.js';
import { readNpy } from '../../compiler/io/npy.js';
import type { ArrayLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { exportedModels, pythonHas } from './pytorch/exported.js';

/** Absolute: every output is within this of PyTorch's (outputs have std ~1). */
const ATOL = 1e-4;
const BACKEND_NAMES = ['interpreter', 'wasm'];

interface Case {
  module: Module;
  input: ArrayLiteral;
  want: ArrayLiteral;
}

/** The largest |got − want|, where, and how many elements are NaN in either. */
function worstError(got: ArrayLiteral, want: ArrayLiteral): { abs: number; at: number; nans: number } {
  let abs = 0, at = -1, nans = 0;
  for (let i = 0; i < want.data.length; i++) {
    const d = Math.abs(Number(got.data[i]) - Number(want.data[i]));
    if (Number.isNaN(d)) nans++;
    else if (d > abs) (abs = d), (at = i);
  }
  return { abs, at, nans };
}

describe.skipIf(!pythonHas('torch, torchvision, onnx'))('vision networks exported by PyTorch', () => {
  let dir = '';
  beforeAll(() => {
    dir = exportedModels(VISION_EXPORT_SCRIPT);
  }, 300_000);

  it('exports every case', () => {
    expect(readdirSync(dir).sort()).toEqual(VISION_CASES.map((c) => c.name).sort());
  });

  // Model-major, so each model is imported once (ResNet-18's import alone is half a second)
  // and held only until its last backend has run.
  const backends = BACKENDS.filter((b) => BACKEND_NAMES.includes(b.name));
  const imported = new Map<string, Case>();
  function load(name: string): Case {
    const d = join(dir, name);
    const loaded = imported.get(name) ?? {
      module: importOnnxFile(join(d, 'model.onnx')).module,
      input: readNpy(readFileSync(join(d, 'input_0.npy'))),
      want: readNpy(readFileSync(join(d, 'output_0.npy'))),
    };
    imported.set(name, loaded);
    return loaded;
  }

  for (const { name } of VISION_CASES)
    for (const backend of backends)
      it(`${name} on ${backend.name} matches PyTorch`, async () => {
        const { module, input, want } = load(name);
        if (backend === backends.at(-1)) imported.delete(name);
        const got = (await (await backend.prepare(module)).run([input])) as ArrayLiteral;
        expect(got.shape.dims).toEqual(want.shape.dims);
        const { abs, at, nans } = worstError(got, want);
        expect(nans, `${nans} NaN outputs`).toBe(0);
        expect(abs, `element ${at}: ${got.data[at]} vs PyTorch ${want.data[at]}`).toBeLessThanOrEqual(ATOL);
      }, 120_000);
});
