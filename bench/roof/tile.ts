// The register tile of kiln's tiled dot (4 rows × 8 columns: 8 f32x4 accumulators), alone,
// with every operand in L1: how fast wasm SIMD can multiply-accumulate on this machine
// once memory is out of the picture, and what the loads cost. Variants:
//   loads    the tile as kiln emits it: 4 A broadcasts (v128.load32_splat) and 2 B loads
//   a-regs   A from registers, B loaded            b-regs   A broadcast, B from registers
//   regs     no loads at all: the mul + add peak
//   fma      `loads` with f32x4.relaxed_madd (run node with --experimental-wasm-relaxed-simd)
// Run: node --import ./bin/register.mjs bench/roof/tile.ts [variant ...]
import binaryen from 'binaryen';

const MR = 4, NV = 2;
const ITERS = 20_000_000;
const VARIANTS = ['loads', 'a-regs', 'b-regs', 'regs', 'fma'] as const;
type Variant = (typeof VARIANTS)[number];

/** One k step of the tile, as wasm text: A rows 4 KiB apart (a 1024-wide matrix), B packed. */
function step(v: Variant): string {
  const a = (r: number) => (v === 'a-regs' || v === 'regs' ? `(local.get $a${r})` : `(v128.load32_splat offset=${r * 4096} (local.get $ka))`);
  const b = (j: number) => (v === 'b-regs' || v === 'regs' ? `(local.get $b${j})` : `(v128.load offset=${65536 + j * 16} (local.get $kb))`);
  let s = '';
  for (let j = 0; j < NV; j++) s += `(local.set $bb${j} ${b(j)})`;
  for (let r = 0; r < MR; r++) {
    s += `(local.set $aa ${a(r)})`;
    for (let j = 0; j < NV; j++) {
      const c = `$c${r}_${j}`;
      s += v === 'fma'
        ? `(local.set ${c} (f32x4.relaxed_madd (local.get $aa) (local.get $bb${j}) (local.get ${c})))`
        : `(local.set ${c} (f32x4.add (local.get ${c}) (f32x4.mul (local.get $aa) (local.get $bb${j}))))`;
    }
  }
  return s;
}

function tileModule(v: Variant): Uint8Array<ArrayBuffer> {
  const acc = Array.from({ length: MR * NV }, (_, i) => `$c${Math.floor(i / NV)}_${i % NV}`);
  const locals = [...acc, '$aa', ...Array.from({ length: MR }, (_, r) => `$a${r}`), ...Array.from({ length: NV }, (_, j) => [`$b${j}`, `$bb${j}`]).flat()];
  const stores = acc.map((c, i) => `(v128.store offset=${131072 + i * 16} (i32.const 0) (local.get ${c}))`).join('');
  const text = `(module (memory 4) (func (export "k") (param $n i32) (local $i i32) (local $ka i32) (local $kb i32) ${locals.map((l) => `(local ${l} v128)`).join(' ')}
    (loop $l ${step(v)}
      (local.set $ka (i32.and (i32.add (local.get $ka) (i32.const 4)) (i32.const 1023)))
      (local.set $kb (i32.and (i32.add (local.get $kb) (i32.const 32)) (i32.const 8191)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    ${stores}))`;
  const m = binaryen.parseText(text);
  m.setFeatures(binaryen.Features.All);
  const bytes = new Uint8Array(m.emitBinary());
  m.dispose();
  return bytes;
}

const asked = process.argv.slice(2) as Variant[];
for (const v of asked.length ? asked : VARIANTS.filter((x) => x !== 'fma')) {
  if (!VARIANTS.includes(v)) throw new Error(`unknown variant ${v}; one of ${VARIANTS.join(', ')}`);
  const instance = await WebAssembly.instantiate(new WebAssembly.Module(tileModule(v)));
  const k = instance.exports.k as (n: number) => void;
  let best = Infinity;
  for (let t = 0; t < 5; t++) {
    const t0 = performance.now();
    k(ITERS);
    best = Math.min(best, performance.now() - t0);
  }
  console.log(`${v.padEnd(7)} ${((2 * MR * NV * 4 * ITERS) / best / 1e6).toFixed(1)} GFLOP/s`);
}
