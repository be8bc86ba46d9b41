// Issue 14's gradient bar: the mean cross-entropy's value and gradient with respect to
// every weight of the MLP and LeNet-5 exported from PyTorch, taken through fromOnnx and
// valueAndGrad, match PyTorch's (float64, tests/onnx/pytorch/export.py) within 1e-4 of
// each gradient's largest element, on the interpreter and on wasm, eagerly and under jit.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearExecutables, fromOnnx, jit, nn, numpy as np, setBackend, valueAndGrad, type OnnxFunction, type Tensor } from '../../compiler/index.js';
import { readNpy } from '../../compiler/io/npy.js';
import type { ArrayLiteral } from '../../ir/literal.js';
import { exportedModels, haveTorch, NO_TORCH } from '../onnx/pytorch/exported.js';

/** max |kiln - PyTorch| / max |PyTorch|, per tensor (kiln in f32, PyTorch in f64). */
const RTOL = 1e-4;

const MODELS = ['mlp', 'lenet5_b64'];

interface Case {
  f: OnnxFunction;
  x: Tensor;
  labels: Tensor;
  loss: number;
  /** PyTorch's gradients by ONNX initializer name. */
  grads: Record<string, Float64Array>;
}

const numbers = (l: ArrayLiteral): Float64Array => Float64Array.from(l.data as ArrayLike<number>, Number);

function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

async function load(dir: string): Promise<Case> {
  const npy = (name: string) => readNpy(readFileSync(join(dir, name)));
  const f = await fromOnnx(readFileSync(join(dir, 'model.onnx')));
  const input = npy('input_0.npy'), labels = npy('labels.npy');
  const names = readdirSync(join(dir, 'grads')).map((n) => n.replace(/\.npy$/, ''));
  return {
    f,
    x: np.array(Float32Array.from(input.data as ArrayLike<number>), { shape: input.shape.dims }),
    labels: np.array(Int32Array.from(labels.data as ArrayLike<number>), { shape: labels.shape.dims }),
    loss: numbers(npy('loss.npy'))[0],
    grads: Object.fromEntries(names.map((n) => [n, numbers(npy(join('grads', `${n}.npy`)))])),
  };
}

/** The model's mean cross-entropy on (x, labels) as a function of its weights. */
const lossOf = (f: OnnxFunction) => (params: Record<string, Tensor>, x: Tensor, labels: Tensor): Tensor =>
  nn.softmaxCrossEntropy(f.apply(params, { [Object.keys(f.inputs)[0]]: x })[f.outputs[0]], labels);

/** Per model and way of running: the largest relative error over the loss and the gradients. */
const measured: string[] = [];

describe.skipIf(!haveTorch)(`PyTorch's cross-entropy gradients${haveTorch ? '' : ` (${NO_TORCH})`}`, () => {
  let dir = '';
  beforeAll(() => {
    dir = exportedModels();
  }, 300_000);
  afterAll(async () => {
    setBackend('wasm');
    await clearExecutables();
    if (measured.length > 0) console.log(measured.join('\n'));
  });

  for (const model of MODELS)
    describe(model, () => {
      let c: Case;
      beforeAll(async () => {
        c = await load(join(dir, model));
      });

      /** Reads the loss and gradients together (reads in one turn share one module) and checks them. */
      const check = async (how: string, value: Tensor, grads: Record<string, Tensor>) => {
        expect(Object.keys(grads).sort()).toEqual(Object.keys(c.f.params).sort());
        expect(Object.keys(grads).sort()).toEqual(Object.keys(c.grads).sort());
        const names = Object.keys(c.grads);
        const [loss, ...got] = (await Promise.all([value, ...names.map((n) => grads[n])].map((t) => t.data()))) as Float32Array[];
        const errors = [`loss ${relError(loss, [c.loss]).toExponential(2)}`];
        names.forEach((n, i) => {
          const rel = relError(got[i], c.grads[n]);
          errors.push(`${n} ${rel.toExponential(2)}`);
          expect(rel, `${how}: d loss / d ${n}`).toBeLessThanOrEqual(RTOL);
        });
        expect(relError(loss, [c.loss]), `${how}: loss ${loss[0]} vs PyTorch ${c.loss}`).toBeLessThanOrEqual(RTOL);
        measured.push(`${model} ${how}: ${errors.join(', ')}`);
      };

      it('on the interpreter', async () => {
        setBackend('interpreter');
        const [value, grads] = valueAndGrad(lossOf(c.f))(c.f.params, c.x, c.labels);
        await check('interpreter', value, grads);
      }, 600_000);

      it('on wasm', async () => {
        setBackend('wasm');
        const [value, grads] = valueAndGrad(lossOf(c.f))(c.f.params, c.x, c.labels);
        await check('wasm', value, grads);
      }, 600_000);

      it('on wasm under jit', async () => {
        setBackend('wasm');
        const step = jit(valueAndGrad(lossOf(c.f)));
        const [value, grads] = step(c.f.params, c.x, c.labels);
        await check('wasm jit', value, grads);
      }, 600_000);
    });
});
