// examples/cuda/main.cu, as the README builds it: the README's own nvcc command (with
// -Werror all-warnings) builds it with no warning where nvcc is here (linking cudart needs
// no GPU); and the same main.cu + model.cu built by g++ against kiln's CPU emulation of
// CUDA runs on a .npy image and prints the class (and scores) the interpreter gives.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuHeadersDir } from '../../compiler/cuda/cpu_build.js';
import { cudaTool } from '../../compiler/cuda/nvcc.js';
import { writeNpy } from '../../compiler/io/npy.js';
import { loadModule } from '../../compiler/load.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral, type ArrayLiteral } from '../../ir/literal.js';
import { array } from '../../ir/shape.js';
import { kiln, ROOT } from '../cli/kiln.js';
import { noGxx } from './cuda_cases.js';

const run = promisify(execFile);
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** The README's commands, which the tests run as written. */
const COMPILE = /^kiln compile examples\/lenet5\.hlo --target cuda -o (\S+)$/m.exec(README);
const NVCC = /^nvcc .*examples\/cuda\/main\.cu.*$/m.exec(README)?.[0];

describe('examples/cuda/main.cu', () => {
  let work = '';
  let folder = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'kiln-cuda-example-'));
    // The README's paths are relative to the repository: `examples` here is the repository's.
    symlinkSync(join(ROOT, 'examples'), join(work, 'examples'));
    folder = join(work, COMPILE![1]);
    const r = kiln(['compile', join(ROOT, 'examples', 'lenet5.hlo'), '--target', 'cuda', '-o', folder, '--no-ptx']);
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the README shows the two commands', () => {
    expect(COMPILE?.[1]).toBe('out/lenet5-cuda');
    expect(NVCC).toBe('nvcc -O2 -fmad=false -arch=sm_90 -I out/lenet5-cuda examples/cuda/main.cu out/lenet5-cuda/model.cu -o lenet5');
    expect(readFileSync(join(folder, 'model.h'), 'utf8')).toMatch(/cudaError_t kiln_lenet5_run\(kiln_lenet5\* model, cudaStream_t stream, const float\* image,/);
  });

  it.skipIf(!cudaTool('nvcc'))("the README's nvcc command builds it with no warning", async () => {
    const [, ...args] = NVCC!.split(' ');
    const { stdout, stderr } = await run(cudaTool('nvcc')!, [...args, '-Werror', 'all-warnings'], { cwd: work });
    expect(stdout + stderr).toBe('');
  }, 180_000);

  it.skipIf(noGxx !== undefined)('built for the CPU, classifies an image as the interpreter does', async () => {
    const exe = join(work, 'lenet5-cpu');
    // -Wno-unknown-pragmas: CUDA's `#pragma unroll` is not g++'s.
    await run('g++', ['-std=c++17', '-O1', '-fwrapv', '-Wall', '-Werror', '-Wno-unknown-pragmas', '-I', cpuHeadersDir(), '-I', folder, '-x', 'c++',
      join(ROOT, 'examples', 'cuda', 'main.cu'), join(folder, 'model.cu'), '-o', exe]);
    const m = loadModule(join(ROOT, 'examples', 'lenet5.hlo'));
    // A bright diagonal stroke on a dark ground, and the weights `kiln run --random 5` would give.
    const image = arrayLiteral(array('f32', [1, 28, 28, 1]), Array.from({ length: 784 }, (_, i) => (Math.abs((i % 28) - Math.floor(i / 28)) < 3 ? 1 : 0)));
    const params = randomInputs(m.entry.params.map((p) => p.shape), 5).slice(1) as ArrayLiteral[];
    const dir = join(work, 'params');
    mkdirSync(dir);
    writeFileSync(join(work, 'image.npy'), writeNpy(image));
    m.entry.params.slice(1).forEach((p, i) => writeFileSync(join(dir, `${p.name}.npy`), writeNpy(params[i])));
    const { stdout } = await run(exe, [folder, join(work, 'image.npy'), dir]);
    const logits = [...(interpret(m, [image, ...params]) as ArrayLiteral).data as Float64Array];
    const want = logits.indexOf(Math.max(...logits));
    expect(stdout).toMatch(new RegExp(`class ${want}\\n$`));
    const scores = [...stdout.matchAll(/^\d: (\S+)$/gm)].map((x) => Number(x[1]));
    expect(scores).toHaveLength(10);
    scores.forEach((s, i) => expect(Math.abs(s - logits[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(logits[i]))));

    // Anything but f32 [1,28,28,1] is refused, saying why.
    writeFileSync(join(work, 'small.npy'), writeNpy(arrayLiteral(array('f32', [1, 14, 14, 1]), new Array(196).fill(0))));
    const refused = await run(exe, [folder, join(work, 'small.npy'), dir]).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/small\.npy: shape \[1,14,14,1\], but the model takes \[1,28,28,1\]/);
  }, 180_000);
});
