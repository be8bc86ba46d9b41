// onnxruntime-node: ONNX Runtime's native CPU execution provider (MLAS, with AVX2/AVX-512
// where the CPU has them), the roof a wasm runtime is measured against.
//
// It is not a dependency of kiln: its install script downloads binaries, which CI must
// not do. The bench installs it on demand, scripts off, into bench/out/ort-node (its npm
// tarball carries the CPU binaries already) and loads it from there.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { OUT_DIR } from '../models.js';
import type { BenchModel, Prepared, Runner } from '../runner.js';
import { ortSession } from './ort_session.js';

export const ORT_NODE_VERSION = '1.31.1';
const PREFIX = join(OUT_DIR, 'ort-node');
const PACKAGE = join(PREFIX, 'node_modules', 'onnxruntime-node');

type OrtNode = typeof import('onnxruntime-web'); // the same onnxruntime-common API

/** Installs onnxruntime-node into bench/out/ort-node unless it is there. */
function ensureInstalled(): void {
  if (existsSync(join(PACKAGE, 'package.json'))) return;
  console.error(`bench: installing onnxruntime-node@${ORT_NODE_VERSION} into ${PREFIX} (scripts off)`);
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', PREFIX, `onnxruntime-node@${ORT_NODE_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
}

/** The native files it loads: the N-API binding and libonnxruntime for this platform. */
function nativeFiles(): string[] {
  const bin = join(PACKAGE, 'bin');
  return readdirSync(bin).flatMap((napi) => {
    const dir = join(bin, napi, process.platform, process.arch);
    return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
  });
}

export async function createOrtNode(threads: number): Promise<Runner> {
  ensureInstalled();
  const require = createRequire(join(PREFIX, 'package.json'));
  const ort = require('onnxruntime-node') as OrtNode;
  const version = (require(join(PACKAGE, 'package.json')) as { version: string }).version;
  // One intra-op pool of `threads` (the calling thread counts as one); no inter-op pool,
  // as these graphs run one node at a time on ort-web too.
  const options = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1 } as const;
  return {
    name: 'ort-node',
    threads,
    runtimeFiles: [require.resolve('onnxruntime-node'), ...nativeFiles()],
    note: `onnxruntime-node ${version}, native CPU EP, graph optimizations 'all'`,
    async prepare(model: BenchModel): Promise<Prepared> {
      if (!model.onnx) throw new Error(`${model.name}: ort-node reads the ONNX form`);
      return ortSession(ort, { ...model, onnx: model.onnx }, options);
    },
  };
}
