// `kiln compile` (a folder that runs without kiln) and `kiln import` (ONNX as HLO text).
import { writeFileSync } from 'node:fs';
import { printModule } from '../../ir/print.js';
import { UsageError } from '../errors.js';
import { binaryenFlag, one } from './flags.js';
import { loadWithOptions } from './model_inputs.js';
import type { Values } from './options.js';

export async function compile(pos: string[], v: Values): Promise<number> {
  const file = one(pos, 'model file');
  if ((v.target ?? 'wasm') !== 'wasm') throw new UsageError(`--target: only 'wasm' is built so far, got '${String(v.target)}'`);
  if (!v.o) throw new UsageError('compile needs -o DIR');
  const { module: m, outputNames } = loadWithOptions(file, v);
  // Imported here, not at the top: compiler/artifact/ loads binaryen and TypeScript (see backend.ts).
  const { buildArtifact, writeArtifact } = await import('../artifact/index.js');
  const t0 = performance.now();
  const art = buildArtifact(m, {
    threads: v.threads === true, embedWeights: v['weights-file'] !== true, relaxedSimd: v['relaxed-simd'] === true,
    fusion: v['no-fusion'] !== true, outputNames, binaryen: binaryenFlag(v),
  });
  const ms = performance.now() - t0;
  const dir = v.o as string;
  writeArtifact(art, dir);
  console.log(`${dir}: ${[...art.files.keys()].join(', ')}; code ${art.codeBytes} bytes without weights; compiled in ${ms.toFixed(0)} ms`);
  return 0;
}

export async function importOnnx(pos: string[], v: Values): Promise<number> {
  const file = one(pos, 'ONNX model');
  if (!file.endsWith('.onnx')) throw new UsageError(`import reads .onnx files, got '${file}'`);
  if (!v.o) throw new UsageError('import needs -o OUT.hlo');
  writeFileSync(v.o as string, printModule(loadWithOptions(file, v).module));
  return 0;
}
