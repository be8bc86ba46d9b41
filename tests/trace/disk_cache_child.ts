// A process of tests/trace/disk_cache.test.ts: jits one function (argv[2] picks which, and
// its options), runs it once, and prints its values and the time to that first result.
import { jit, numpy as np, setCacheDir, type Tensor } from '../../compiler/index.js';

const start = performance.now();
const variant = process.argv[2] ?? 'mlp';
if (process.argv[3]) setCacheDir(process.argv[3] === 'off' ? null : process.argv[3]);

const mlp = (x: Tensor, w: Tensor) => np.add(np.tanh(np.matmul(x, w)), 1);
const other = (x: Tensor, w: Tensor) => np.subtract(np.matmul(x, w), 1);
const f = jit(variant === 'other' ? other : mlp, { threads: variant === 'threads2' ? 2 : 1 });

const x = np.array(Array.from({ length: 4 }, (_, i) => Array.from({ length: 8 }, (_, j) => Math.sin(i + j))));
const w = np.array(Array.from({ length: 8 }, (_, i) => Array.from({ length: 3 }, (_, j) => Math.cos(i * j) / 4)));
const y = Array.from((await (f(x, w) as Tensor).data()) as Float32Array);
console.log(JSON.stringify({ values: y, sinceStartMs: performance.now(), callMs: performance.now() - start }));
