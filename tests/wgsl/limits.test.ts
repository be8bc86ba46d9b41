// Mesa's llvmpipe (lavapipe, the device these tests run on without a GPU) leaves every loop
// nest after 65535 iterations per invocation, silently. The webgpu backend refuses kernels
// whose loop nests it knows to be longer there (NotSupported, naming the kernel); where the
// bounds are only known at run time, the shader reports a loop cut short and the run
// rejects, naming the shader. Never wrong numbers; under the limit, and on other devices,
// the kernels run.
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import { LLVMPIPE_LOOP_LIMIT, webgpuAdapter } from '../../compiler/webgpu_backend.js';
import { NotSupported } from '../../targets/wgsl/errors.js';
import { loopNestIterations } from '../../targets/wgsl/schedule.js';
import { program } from '../wasm/harness.js';
import { runWebGpu, unavailable } from './harness.js';

/** acc counts the iterations of an outer × inner loop nest. */
const counting = (outer: number, inner: number) => program('loop', [{ name: 'y', dtype: 's32', size: 1, role: 'output' }], [{ name: 'fusion.9', args: ['y'], body: [
  b.letStmt('acc', b.int(0)),
  b.loop('o', 0, outer, [b.loop('k', 0, inner, [b.assign('acc', b.add(b.variable('acc'), b.int(1)))])]),
  b.store(0, b.int(0), b.variable('acc'))] }]);

describe('loop nest limits', () => {
  it('counts the iterations of a nest, every level', () => {
    expect(loopNestIterations(counting(300, 200).kernels[0])).toBe(300 * 201);
  });

  it.skipIf(unavailable)('runs a nest under the limit, and refuses one over it on llvmpipe', async () => {
    expect((await runWebGpu(counting(300, 200), {})).y[0]).toBe(60000);
    const long = counting(300, 300);
    if (/llvmpipe/i.test(webgpuAdapter() ?? '')) {
      const err = await runWebGpu(long, {}).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(NotSupported);
      expect((err as Error).message).toMatch(new RegExp(`^fusion\\.9: a loop nest of 90300 iterations per invocation; .*llvmpipe.* stops every loop nest after ${LLVMPIPE_LOOP_LIMIT}`));
    } else {
      expect((await runWebGpu(long, {})).y[0]).toBe(90000);
    }
  });

  it.skipIf(unavailable)('rejects a run whose loop the driver cut short, naming the shader', async () => {
    // The outer bound is an input: nothing folds, so only the shader can tell.
    const p = program('loop', [{ name: 'n', dtype: 's32', size: 1, role: 'input' }, { name: 'y', dtype: 's32', size: 1, role: 'output' }], [{
      name: 'fusion.4', args: ['n', 'y'], body: [
        b.letStmt('acc', b.int(0)),
        b.loop('o', 0, b.load(0, b.int(0), 's32'), [b.loop('k', 0, 300, [b.assign('acc', b.add(b.variable('acc'), b.int(1)))])]),
        b.store(1, b.int(0), b.variable('acc'))] }]);
    expect(loopNestIterations(p.kernels[0])).toBe(0);
    expect((await runWebGpu(p, { n: new Int32Array([100]) })).y[0]).toBe(30000);
    const long = runWebGpu(p, { n: new Int32Array([300]) });
    if (/llvmpipe/i.test(webgpuAdapter() ?? '')) await expect(long).rejects.toThrow(/shaders\/fusion_4\.wgsl: a loop ended before its bound/);
    else expect((await long).y[0]).toBe(90000);
  });
});
