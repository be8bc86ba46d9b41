// The WGSL of one small kernel, as the contract between targets/wgsl and the reader: the
// parallel loop as one invocation per iteration (guarded, 64 per workgroup), buffers at
// constant word offsets in the arena, an atomic arena because the shader stores narrow
// (u8) elements, and only the helpers it calls. Plus the manifest entry it gets.
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import { compileWgsl } from '../../targets/wgsl/index.js';
import { NotSupported } from '../../targets/wgsl/errors.js';
import { program } from '../wasm/harness.js';
import { runWebGpu, unavailable } from './harness.js';

const i = b.variable('i');
const relu = program('relu', [
  { name: 'x', dtype: 'f32', size: 200, role: 'input' },
  { name: 'y', dtype: 'f32', size: 200, role: 'output' },
  { name: 'pos', dtype: 'u8', size: 200, role: 'output' },
], [{
  name: 'fusion.7', args: ['x', 'y', 'pos'], body: [b.loop('i', 0, 200, [
    b.letStmt('v', b.load(0, i, 'f32')),
    b.store(1, i, b.binary('maximum', b.variable('v', b.F32), b.constant('f32', 0))),
    b.store(2, i, b.compare('GT', b.variable('v', b.F32), b.constant('f32', 0))),
  ], 'parallel')],
}]);

describe('targets/wgsl', () => {
  it('renders a kernel as one shader per launch', () => {
    const art = compileWgsl(relu);
    expect(art.manifest.shaders).toEqual([{
      name: 'fusion.7', file: 'shaders/fusion_7.wgsl', entryPoint: 'fusion_7', workgroupSize: [64, 1, 1],
      bindings: [{ binding: 0, region: 'arena', type: 'storage' }],
    }]);
    expect(art.manifest.steps).toEqual([{ k: 'dispatch', shader: 0, workgroups: [4, 1, 1] }]);
    expect(art.shaders.get('shaders/fusion_7.wgsl')).toMatchInlineSnapshot(`
      "// kiln: kernel fusion.7 (HLO fusion.7) of relu, launched on buffers x, y, pos
      @group(0) @binding(0) var<storage, read_write> arena: array<atomic<u32>>;

      fn kiln_isnan(x: f32) -> bool {
        return (bitcast<u32>(x) & u32(0x7fffffffu)) > u32(0x7f800000u);
      }

      fn kiln_max_f32(a: f32, b: f32) -> f32 {
        let m = select(select(b, a, a > b), bitcast<f32>(bitcast<u32>(a) & bitcast<u32>(b)), a == b);
        return select(select(m, b, kiln_isnan(b)), a, kiln_isnan(a));
      }

      fn kiln_gt_f32(a: f32, b: f32) -> bool {
        return !(kiln_isnan(a) | kiln_isnan(b)) & (a > b);
      }

      fn kiln_st8_arena(b: i32, v: u32) {
        let w = b >> 2u;
        let sh = u32(b & 3) * 8u;
        atomicAnd(&arena[w], ~(0xffu << sh));
        atomicOr(&arena[w], (v & 0xffu) << sh);
      }

      @compute @workgroup_size(64)
      fn fusion_7(@builtin(global_invocation_id) gid: vec3<u32>) {
        var i: i32;
        var v: f32;
        let idx = i32(gid.x);
        if (idx < 200) {
          i = idx;
          v = bitcast<f32>(atomicLoad(&arena[i]));
          atomicStore(&arena[200 + i], bitcast<u32>(kiln_max_f32(v, 0.0f)));
          kiln_st8_arena(1600 + i, u32(kiln_gt_f32(v, 0.0f)));
        }
      }
      "
    `);
  });

  it('keeps s64 as vec2<u32> words: two per element, helpers for the arithmetic', () => {
    const p = program('wide', [{ name: 'x', dtype: 's64', size: 4, role: 'input' }, { name: 'y', dtype: 's64', size: 4, role: 'output' }],
      [{ name: 'fusion.3', args: ['x', 'y'], body: [b.loop('i', 0, 4, [b.store(1, i, b.binary('add', b.load(0, i, 's64'), b.constant('s64', -2n)))], 'parallel')] }]);
    const wgsl = compileWgsl(p).shaders.get('shaders/fusion_3.wgsl')!;
    expect(wgsl).toContain('let tmp = kiln_add_64(vec2<u32>(arena[i * 2], arena[1 + i * 2]), vec2<u32>(4294967294u, 4294967295u));');
    expect(wgsl).toContain('arena[8 + i * 2] = tmp.x;');
    expect(wgsl).toContain('arena[9 + i * 2] = tmp.y;');
  });

  it('refuses f64, naming the kernel', () => {
    const p = program('wide', [{ name: 'x', dtype: 'f64', size: 4, role: 'input' }, { name: 'y', dtype: 'f64', size: 4, role: 'output' }],
      [{ name: 'fusion.3', args: ['x', 'y'], body: [b.loop('i', 0, 4, [b.store(1, i, b.load(0, i, 'f64'))], 'parallel')] }]);
    expect(() => compileWgsl(p)).toThrow(NotSupported);
    expect(() => compileWgsl(p)).toThrow('fusion.3: f64 buffer x: WGSL has no 64-bit floats');
  });

  it.skipIf(unavailable)('dispatches in two dimensions past 65535 workgroups, each iteration once', async () => {
    const n = 65535 * 64 + 1000;
    const p = program('big', [{ name: 'y', dtype: 's32', size: n, role: 'output' }],
      [{ name: 'iota', args: ['y'], body: [b.loop('i', 0, n, [b.store(0, i, b.binary('add', b.binary('multiply', i, b.int(3)), b.int(1)))], 'parallel')] }]);
    const art = compileWgsl(p);
    expect(art.manifest.steps).toEqual([{ k: 'dispatch', shader: 0, workgroups: [65535, 2, 1] }]);
    expect(art.shaders.get('shaders/iota.wgsl')).toContain('let idx = i32(gid.x + gid.y * 4194240u);');
    const y = (await runWebGpu(p, {})).y;
    let bad = 0;
    for (let k = 0; k < n; k++) if (y[k] !== k * 3 + 1) bad++;
    expect(bad).toBe(0);
  });
});
