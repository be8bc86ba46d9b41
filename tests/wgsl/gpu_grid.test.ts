// Grid kernels (kernel IR's GPU form): the reference executor runs workgroups and their
// invocations with barriers and reports races and non-uniform barriers; wasm refuses
// them; WGSL renders them (workgroup_size, var<workgroup>, workgroupBarrier, builtins) and
// WebGPU runs them as the executor does.
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import { runProgram, allocateMemory, KernelBarrierMismatch, KernelRace } from '../../ir/kernel/interpret.js';
import type { Grid, Program, Stmt } from '../../ir/kernel/kernel.js';
import { printKernel } from '../../ir/kernel/print.js';
import { compileWasm, NotSupported as WasmNotSupported } from '../../targets/wasm/index.js';
import { compileWgsl } from '../../targets/wgsl/index.js';
import { program } from '../wasm/harness.js';
import { runWebGpu, unavailable } from './harness.js';

const N = 1000, W = 64;
const lid = b.localId(0), wid = b.workgroupId(0);
const F32 = b.F32;

/** Each workgroup sums a strided share of x into s[wid] by a tree over workgroup memory. */
function sumKernel(): Stmt[] {
  const i = b.variable('i'), acc = b.variable('acc', F32);
  const tree: Stmt[] = [];
  for (let s = W / 2; s >= 1; s /= 2) {
    tree.push(b.ifStmt(b.compare('LT', lid, b.int(s)), [
      b.localStore('sh', lid, b.binary('add', b.local('sh', lid, 'f32'), b.local('sh', b.add(lid, b.int(s)), 'f32'))),
    ]), b.barrier());
  }
  return [
    b.array('sh', 'f32', W, 'workgroup'),
    b.letStmt('acc', b.constant('f32', 0)),
    b.loop('i', b.add(b.mul(wid, b.int(W)), lid), N, [b.assign('acc', b.binary('add', acc, b.load(0, i, 'f32')))], 'serial', W * 4),
    b.localStore('sh', lid, acc),
    b.barrier(),
    ...tree,
    b.ifStmt(b.compare('EQ', lid, b.int(0)), [b.store(1, wid, b.local('sh', b.int(0), 'f32'))]),
  ];
}

const withGrid = (p: Program, g: Grid): Program => ({ ...p, kernels: p.kernels.map((k) => ({ ...k, grid: g })) });

function sumProgram(body: Stmt[] = sumKernel(), g = b.grid([W], [4])): Program {
  const p = program('gridsum', [{ name: 'x', dtype: 'f32', size: N, role: 'input' }, { name: 's', dtype: 'f32', size: 4, role: 'output' }],
    [{ name: 'sum', args: ['x', 's'], body }]);
  return withGrid(p, g);
}

const xs = Float32Array.from({ length: N }, (_, i) => (i % 7) - 3 + i / 1000);
const want = [0, 1, 2, 3].map((w) => { let t = 0; for (let i = w * W; i < N; i += W * 4) for (let j = i; j < Math.min(i + W, N); j++) t += xs[j]; return t; });

function execute(p: Program, seed?: number): Float32Array {
  const mem = allocateMemory(p);
  mem.arena.set(new Uint8Array(xs.buffer), p.buffers[0].offset);
  runProgram(p, mem, { seed });
  const o = p.buffers[1];
  return new Float32Array(mem.arena.slice(o.offset, o.offset + o.bytes).buffer);
}

describe('grid kernels on the reference executor', () => {
  it('runs workgroups of invocations phase by phase, with no race', () => {
    for (const seed of [1, 2, 3]) {
      const got = execute(sumProgram(), seed);
      want.forEach((w, j) => expect(got[j]).toBeCloseTo(w, 2));
    }
  });

  it('reports a race between invocations of one workgroup (a missing barrier)', () => {
    const body = sumKernel().filter((s, i, all) => !(s.k === 'barrier' && all[i - 1]?.k === 'localStore'));
    expect(() => execute(sumProgram(body))).toThrow(KernelRace);
    expect(() => execute(sumProgram(body))).toThrow(/kernel sum: .*workgroup array sh/);
  });

  it('reports a race between workgroups, barrier or not', () => {
    const body: Stmt[] = [b.barrier(), b.ifStmt(b.compare('EQ', lid, b.int(0)), [b.store(1, b.int(0), b.convert(wid, 'f32'))])];
    expect(() => execute(sumProgram(body))).toThrow(/kernel sum: invocations workgroup=\d, local invocation=0 and workgroup=\d, local invocation=0 .*both write buffer s\[element 0\]/);
  });

  it('refuses a barrier that not every invocation reaches', () => {
    const body: Stmt[] = [b.ifStmt(b.compare('LT', lid, b.int(3)), [b.barrier()])];
    expect(() => execute(sumProgram(body))).toThrow(KernelBarrierMismatch);
  });

  it('numbers 2-D and 3-D invocations x fastest', () => {
    const g = b.grid([2, 3, 2], [2, 1, 2]);
    const flatLocal = b.add(b.add(b.localId(0), b.mul(b.localId(1), b.int(2))), b.mul(b.localId(2), b.int(6)));
    const flatGroup = b.add(b.workgroupId(0), b.mul(b.workgroupId(2), b.int(2)));
    const at = b.add(b.mul(flatGroup, b.int(12)), flatLocal);
    const p = withGrid(program('ids', [{ name: 'y', dtype: 's32', size: 48, role: 'output' }], [{ name: 'ids', args: ['y'], body: [b.store(0, at, at)] }]), g);
    const mem = allocateMemory(p);
    runProgram(p, mem);
    expect([...new Int32Array(mem.arena.slice(0, 192).buffer)]).toEqual([...Array(48).keys()]);
  });

  it('prints the ids', () => {
    expect(printKernel(sumProgram().kernels[0])).toContain('let acc: f32 = 0.0;');
    expect(printKernel(sumProgram().kernels[0])).toContain('local_id.x');
  });
});

describe('grid kernels on the targets', () => {
  it('wasm refuses a grid kernel, naming it', () => {
    expect(() => compileWasm(sumProgram())).toThrow(WasmNotSupported);
    expect(() => compileWasm(sumProgram())).toThrow(/^sum: a GPU grid kernel/);
  });

  it('WGSL renders the grid, workgroup memory, barriers and ids', () => {
    const art = compileWgsl(sumProgram());
    const wgsl = [...art.shaders.values()][0];
    expect(wgsl).toContain('@compute @workgroup_size(64)');
    expect(wgsl).toMatch(/^var<workgroup> sh_a: array<f32, 64>;$/m);
    expect(wgsl).toContain('workgroupBarrier();');
    expect(wgsl).toContain('i32(kiln_lid.x)');
    expect(wgsl).toContain('@builtin(workgroup_id) kiln_wid: vec3<u32>');
    expect(art.manifest.steps[0]).toMatchObject({ k: 'dispatch', workgroups: [4, 1, 1] });
    expect(art.manifest.shaders[0].workgroupSize).toEqual([64, 1, 1]);
  });

  it.skipIf(unavailable)('runs on WebGPU as on the executor', async () => {
    const out = await runWebGpu(sumProgram(), { x: xs });
    want.forEach((w, j) => expect(out.s[j]).toBeCloseTo(w, 2));
  }, 60_000);
});
