// compile(model, { aliases }): the same results as without on every backend (aliasing only
// says where the wasm backend keeps bytes), and a bad alias is bad input (code 3).
import { describe, expect, it } from 'vitest';
import { compile, KilnError, type BackendName } from '../../compiler/index.js';

const SGD = `HloModule sgd
ENTRY step {
  w = f32[4,3] parameter(0)
  g = f32[4,3] parameter(1)
  lr = f32[] constant(0.5)
  b = f32[4,3] broadcast(lr), dimensions={}
  d = f32[4,3] multiply(b, g)
  n = f32[4,3] subtract(w, d)
  ROOT t = (f32[4,3], f32[4,3]) tuple(n, w)
}`;
const w = Float32Array.from({ length: 12 }, (_, i) => i / 4);
const g = Float32Array.from({ length: 12 }, (_, i) => 3 - i);

describe('compile(model, { aliases })', () => {
  for (const backend of ['interpreter', 'kernels', 'wasm'] as BackendName[])
    it(`gives what it gives without aliases on ${backend}`, async () => {
      const plain = await compile(SGD, { backend });
      const aliased = await compile(SGD, { backend, aliases: [{ output: 0, param: 0 }] });
      const [a, b] = [await plain.run({ w, g }), await aliased.run({ w, g })];
      expect(Array.from(b.n.data as Float32Array)).toEqual(Array.from(a.n.data as Float32Array));
      expect(Array.from(b.w.data as Float32Array)).toEqual(Array.from(w)); // the old w, though n ends in its bytes
      // Again: run() copies every input in, so a donated input is no different.
      expect(Array.from((await aliased.run({ w, g })).n.data as Float32Array)).toEqual(Array.from(a.n.data as Float32Array));
    });

  it('refuses an alias of another shape, or of nothing, with code 3', async () => {
    for (const aliases of [[{ output: 0, param: 2 }], [{ output: 0, param: 0 }, { output: 1, param: 0 }], [{ output: '0', param: 0 }]]) {
      const e = await compile(SGD, { aliases: aliases as never }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(KilnError);
      expect((e as KilnError).code).toBe(3);
    }
    const e = await compile(SGD.replace('g = f32[4,3]', 'g = f32[12]').replace('multiply(b, g)', 'multiply(b, rg)').replace('d = ', 'rg = f32[4,3] reshape(g)\n  d = '), { aliases: [{ output: 0, param: 1 }] }).catch((x: unknown) => x);
    expect((e as KilnError).message).toMatch(/output 0 \(n\) is f32\[4,3\], parameter 1 \(g\) is f32\[12\]/);
  });
});
