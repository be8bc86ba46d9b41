// Builds what the page loads, with `kiln compile` as a user runs it: LeNet-5 as ONNX
// (bench/models.ts's `lenet-b1`, built deterministically: seeded random weights, not trained),
// then two artifacts of it, out/wasm/ (--target wasm) and out/webgpu/ (--target wgsl).
//   node examples/web/build.mjs        then   node examples/web/serve.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../../bin/register.mjs'; // lets Node import bench/models.ts (TypeScript)

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const OUT = join(HERE, 'out');

const { onnxModels } = await import('../../bench/models.ts');
const [{ bytes }] = onnxModels(['lenet-b1']);
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const onnx = join(OUT, 'lenet.onnx');
writeFileSync(onnx, bytes);

for (const [target, dir] of [['wasm', 'wasm'], ['wgsl', 'webgpu']]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'kiln.mjs'), 'compile', onnx, '--target', target, '-o', join(OUT, dir)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
