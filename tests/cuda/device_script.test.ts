// bench/cuda/device.sh, the script a session with a GPU runs, dry: KILN_DEVICE_DRY=1 builds the
// pack's golden cases and PyTorch models with g++ against kiln's CUDA emulation headers instead
// of nvcc, runs each (the small PyTorch models only), and skips what needs a GPU; bench/cuda/check.ts must then find every
// output right, and must notice a wrong one. The bench models are left out (too slow on the CPU).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gxxAvailable } from '../../compiler/cuda/cpu_build.js';
import { check } from '../../bench/cuda/check.js';
import { preparePack, PYTORCH_MODELS } from '../../bench/cuda/prepare.js';
import { haveTorch } from '../onnx/pytorch/exported.js';

const ROOT = join(import.meta.dirname, '..', '..');
const haveBash = spawnSync('bash', ['--version'], { stdio: 'ignore' }).status === 0;
const haveTar = spawnSync('tar', ['--version'], { stdio: 'ignore' }).status === 0;
const why = !gxxAvailable() ? 'no g++' : !haveBash ? 'no bash' : !haveTar ? 'no tar' : undefined;
if (why) console.warn(`tests/cuda/device_script: ${why}; skipping the dry run of bench/cuda/device.sh`);

describe.skipIf(why !== undefined)('bench/cuda/device.sh, dry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-device-dry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds and runs the golden and PyTorch suites, and check.ts passes them', async () => {
    const pack = join(dir, 'pack'), out = join(dir, 'out');
    // The script's flow is what is tested here (tests/onnx/pytorch.test.ts runs every model on
    // cuda-cpu): the small PyTorch models only. LeNet-5 at batch 64 alone runs 7 s on the
    // emulation; batch 1 runs the same kernels.
    const skipPytorch = ['lenet5_b64', 'resnet_folded', 'resnet_batchnorm', 'mobilenet_block', 'transformer_layer', 'gru'];
    const { golden, pytorch } = preparePack(pack, { bench: false, skipPytorch });
    expect(golden.models.every((m) => m.index >= 0)).toBe(true);
    expect(pytorch.models.length).toBe(haveTorch ? PYTORCH_MODELS.length - skipPytorch.length : 0);
    // Asynchronously: a blocked worker misses vitest's RPC deadlines.
    const r = await new Promise<{ code: number; text: string }>((resolve) => {
      execFile('bash', ['bench/cuda/device.sh'], { cwd: ROOT, timeout: 280_000, maxBuffer: 16 << 20, env: { ...process.env, KILN_DEVICE_DRY: '1', PACK: pack, OUT: out } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, text: `${stdout}\n${stderr}` }));
    });
    const report = readFileSync(join(out, 'report.txt'), 'utf8');
    expect(r.code, r.text).toBe(0);
    expect(report).toMatch(/^SKIP sanitizers: dry run/m);
    expect(report).toMatch(/^SKIP bench, cuBLAS, PyTorch: dry run/m);
    expect(report).toContain(`SUITE golden ran=${golden.models.length} failed=0`);

    const result = check(out, pack);
    expect(result.cases.filter((c) => !c.ok)).toEqual([]);
    expect(result.cases.length).toBe(golden.models.length + pytorch.models.length);
    expect(result.ok).toBe(true);
    expect(result.text).toContain(`**golden**: ${golden.models.length} of ${golden.models.length} match`);

    // A wrong output must fail: flip axpy's first element and pack the outputs again.
    const bad = join(dir, 'bad'), res = join(dir, 'unpacked');
    mkdirSync(bad);
    mkdirSync(res);
    execFileSync('tar', ['-xf', join(out, 'outputs.tar'), '-C', res]);
    const file = join(res, 'res', 'golden', 'axpy.bin');
    const bytes = readFileSync(file);
    bytes.writeFloatLE(bytes.readFloatLE(0) + 1, 0);
    writeFileSync(file, bytes);
    execFileSync('tar', ['-cf', join(bad, 'outputs.tar'), '-C', res, 'res']);
    writeFileSync(join(bad, 'report.txt'), report);
    const wrong = check(bad, pack);
    expect(wrong.ok).toBe(false);
    expect(wrong.cases.filter((c) => !c.ok).map((c) => c.name)).toEqual(['axpy']);
  }, 300_000);
});
