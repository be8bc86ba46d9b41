// The host time a jitted call adds to its executable's own run, on a tiny function
// (x + 1 on f32[4]): the same compiled module run directly through the backend's
// executable, and through jit (call, then await the result), interleaved in rounds.
//
//   node --import ./bin/register.mjs bench/jit_overhead.ts [--calls 5000] [--rounds 7]
import { jit, numpy as np, setBackend, type Tensor } from '../compiler/index.js';
import { executableFor } from '../compiler/frontends/trace/executables.js';

const arg = (name: string, fallback: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const calls = arg('--calls', 5000);
const rounds = arg('--rounds', 7);
setBackend('wasm');
const f = jit((x: Tensor) => np.add(x, 1));
const x = np.ones([4]);
await f(x).data();
const exe = await executableFor(f.lower(x).module, { backend: 'wasm', threads: 1, aliases: [] });
const input = new Float32Array(4);

async function time(body: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await body();
  return ((performance.now() - t0) / calls) * 1000;
}

const raw: number[] = [], jitted: number[] = [];
for (let r = 0; r < rounds; r++) {
  raw.push(await time(() => exe.run([input])));
  jitted.push(await time(() => f(x).data()));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const overheads = raw.map((t, i) => jitted[i] - t);
console.log(`x + 1 on f32[4], ${calls} calls per round, ${rounds} rounds (median round):`);
console.log(`  executable run alone   ${median(raw).toFixed(1)} µs`);
console.log(`  jitted call + data()   ${median(jitted).toFixed(1)} µs`);
console.log(`  jit's host overhead    ${median(overheads).toFixed(1)} µs (rounds: ${overheads.map((o) => o.toFixed(1)).join(', ')})`);
