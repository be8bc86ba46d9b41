// The CPU emulation of CUDA (targets/cuda/cpu/include, docs/cuda-cpu.md): hand-written
// .cu fixtures built with g++ and run. The scheduler must break kernels that miss a
// barrier, ASan must see device out-of-bounds stores, and f16/bf16 conversions must match
// kiln's TypeScript reference bit for bit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCpu, gxxAvailable, type CpuBuild } from '../../compiler/cuda/cpu_build.js';
import { driverSource, f32Sweep, fixtureSource, refBf16, refF16, refF16ToF32, type Fixture } from './emulation_fixtures.js';

const HAVE_GXX = gxxAvailable();
if (!HAVE_GXX) console.warn('tests/cuda/emulation: g++ is not installed; skipping the CUDA CPU emulation tests');

const MAIN: Fixture[] = [
  { file: 'reduce.cu', name: 'reduce' },
  { file: 'reduce.cu', name: 'reduce_nobarrier', deleteMarked: true },
  { file: 'gemm.cu', name: 'gemm' },
  { file: 'gemm.cu', name: 'gemm_nobarrier', deleteMarked: true },
  { file: 'divergent.cu', name: 'divergent' },
  { file: 'shuffle.cu', name: 'shuffle' },
  { file: 'order.cu', name: 'order' },
  { file: 'convert.cu', name: 'convert' },
  { file: 'contract.cu', name: 'contract' },
];
const ASAN: Fixture[] = [{ file: 'oob.cu', name: 'oob' }, { file: 'misaligned.cu', name: 'misaligned' }];

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe.skipIf(!HAVE_GXX)('CUDA on the CPU (g++ and kiln_cuda_cpu.h)', () => {
  let dir = '';
  let main: CpuBuild;
  let asan: CpuBuild;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-cuda-cpu-'));
    // Two g++ calls, one per build, side by side (the ASan runtime needs its own link).
    [main, asan] = await Promise.all([
      buildCpu({ sources: MAIN.map(fixtureSource), driver: driverSource(MAIN), dir: join(dir, 'main'), exe: 'fixtures' }),
      buildCpu({ sources: ASAN.map(fixtureSource), driver: driverSource(ASAN), asan: true, dir: join(dir, 'asan'), exe: 'fixtures' }),
    ]);
    console.info(`g++: ${MAIN.length} fixtures in ${main.ms.toFixed(0)} ms; ASan build of ${ASAN.length} in ${asan.ms.toFixed(0)} ms`);
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function run(build: CpuBuild, args: string[], env: Record<string, string> = {}): Run {
    const r = spawnSync(build.exe, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function ok(build: CpuBuild, args: string[], env: Record<string, string> = {}): string {
    const r = run(build, args, env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout.trim();
  }

  const blockSums = Array.from({ length: 8 }, (_, b) => {
    let s = 0;
    for (let i = b * 256; i < (b + 1) * 256; i++) s += i % 97;
    return s;
  }).join(' ');

  it('sums a shared-memory tree reduction right under several seeds and in order', () => {
    for (const seed of ['1', '2', '12345', '0xdeadbeef']) expect(ok(main, ['reduce'], { KILN_CUDA_CPU_SEED: seed })).toBe(blockSums);
    expect(ok(main, ['reduce'])).toBe(blockSums);
    expect(ok(main, ['reduce'], { KILN_CUDA_CPU_ORDER: 'inorder' })).toBe(blockSums);
  });

  it('gets the reduction wrong when its first barrier is deleted', () => {
    expect(ok(main, ['reduce_nobarrier'])).not.toBe(blockSums);
  });

  it('multiplies through shared tiles right, and wrong without the second barrier', () => {
    for (const seed of ['1', '99']) expect(ok(main, ['gemm'], { KILN_CUDA_CPU_SEED: seed })).toBe('wrong 0');
    expect(ok(main, ['gemm_nobarrier'])).not.toBe('wrong 0');
  });

  it('aborts on a barrier that only some threads reach, with exit code 3', () => {
    const r = run(main, ['divergent']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /^kiln cuda-cpu: divergent __syncthreads in kernel divergent_divergent, block \([01],0,0\): thread \d+ \(\d+,0,0\) waits at __syncthreads \(line 7\) while thread \d+ \(\d+,0,0\) has finished\n$/,
    );
  });

  it('reduces a warp with xor-butterfly and shfl_down shuffles, and ballots', () => {
    const lines: string[] = [];
    for (let w = 0; w < 12; w++) {
      let sum = 0, odd = 0;
      for (let lane = 0; lane < 32; lane++) {
        const v = ((w * 32 + lane) * 7) % 13;
        sum += v;
        if (v & 1) odd |= 1 << lane;
      }
      lines.push(`${sum} ${sum} ${sum} ${sum} ${3 * sum} ${(odd >>> 0).toString(16).padStart(8, '0')}`);
    }
    expect(ok(main, ['shuffle'])).toBe(lines.join('\n'));
    expect(ok(main, ['shuffle'], { KILN_CUDA_CPU_ORDER: 'inorder' })).toBe(lines.join('\n'));
  });

  it('runs threads in index order on request and in a seeded shuffle otherwise', () => {
    const identity = Array.from({ length: 256 }, (_, i) => String(i)).join(' ');
    expect(ok(main, ['order'], { KILN_CUDA_CPU_ORDER: 'inorder' })).toBe(identity);
    const shuffled = ok(main, ['order']);
    expect(shuffled).not.toBe(identity);
    expect(shuffled.split(' ').map(Number).sort((a, b) => a - b).join(' ')).toBe(identity);
    expect(ok(main, ['order'])).toBe(shuffled);
    expect(ok(main, ['order'], { KILN_CUDA_CPU_SEED: '7' })).not.toBe(shuffled);
  });

  it('converts f16 and bf16 exactly as kiln’s reference does', () => {
    const inputs = f32Sweep();
    const inPath = join(dir, 'f32.bin'), outPath = join(dir, 'converted.bin');
    writeFileSync(inPath, inputs);
    ok(main, ['convert', inPath, outPath]);
    const out = readFileSync(outPath);
    const n = inputs.length;
    const fromF16 = new Uint32Array(out.buffer, out.byteOffset, 65536);
    const fromBf16 = new Uint32Array(out.buffer, out.byteOffset + 65536 * 4, 65536);
    const toF16 = new Uint16Array(out.buffer, out.byteOffset + 65536 * 8, n);
    const toBf16 = new Uint16Array(out.buffer, out.byteOffset + 65536 * 8 + n * 2, n);
    const bad: string[] = [];
    const hex = (v: number) => '0x' + v.toString(16);
    for (let h = 0; h < 65536 && bad.length < 5; h++) {
      if (fromF16[h] !== refF16ToF32(h)) bad.push(`f16 ${hex(h)} → ${hex(fromF16[h])}, want ${hex(refF16ToF32(h))}`);
      if (fromBf16[h] !== (h << 16) >>> 0) bad.push(`bf16 ${hex(h)} → ${hex(fromBf16[h])}`);
    }
    for (let i = 0; i < n && bad.length < 5; i++) {
      const want16 = refF16(inputs[i]), wantB = refBf16(inputs[i]);
      if (toF16[i] !== want16) bad.push(`f32 ${hex(inputs[i])} → f16 ${hex(toF16[i])}, want ${hex(want16)}`);
      if (toBf16[i] !== wantB) bad.push(`f32 ${hex(inputs[i])} → bf16 ${hex(toBf16[i])}, want ${hex(wantB)}`);
    }
    expect(bad).toEqual([]);
  });

  it('compiles and runs the constructs the CUDA renderer emits, and launch_params', () => {
    expect(ok(main, ['contract']).split('\n')).toEqual([
      'launch no error', 'y0 10', 'y1 8', 'y2 16', 'y3 1.75', 'y4 2', 'y5 0.200073242', 'y6 107',
      'k0 48', 'k1 126', 'k2 264', 'k3 32', 'launch_params no error 2',
      'too many threads cudaErrorInvalidConfiguration', 'bad size cudaErrorMemoryAllocation',
    ]);
  });

  it('lets ASan catch a store one past a cudaMalloc’d buffer, and finds nothing in bounds', () => {
    expect(ok(asan, ['oob', 'inbounds'])).toBe('last 99');
    const r = run(asan, ['oob', 'oob']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('AddressSanitizer: heap-buffer-overflow');
    expect(r.stderr).toMatch(/WRITE of size 4[^]*in oob_fill /);
    expect(r.stderr).toContain('kiln cuda-cpu: the report above came from kernel oob_fill, block (1,0,0), thread 36 (36,0,0)');
  });

  it('lets the ASan build catch a misaligned float4 read (a GPU faults on it), and pass an aligned one', () => {
    expect(ok(asan, ['misaligned', 'aligned'])).toBe('first 6');
    const r = run(asan, ['misaligned', 'misaligned']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/misaligned address/);
  });
});
