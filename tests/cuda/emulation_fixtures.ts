// Fixtures for tests/cuda/emulation.test.ts: the hand-written .cu files under emulation/,
// each compiled as its own translation unit with its symbols prefixed (PFX_ → name_), as
// several models' .cu files share one g++ call, and a driver whose argv[1] picks one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { roundBf16, roundF16 } from '../../ir/literal.js';
import { f16Bits, f16FromBits } from '../../ir/scalar/floats.js';
import type { CpuSource } from '../../compiler/cuda/cpu_build.js';

const DIR = join(import.meta.dirname, 'emulation');

/** A fixture: which .cu file, the name its symbols take, and whether to delete its DELETE-ME line. */
export interface Fixture {
  readonly file: string;
  readonly name: string;
  readonly deleteMarked?: boolean;
}

export function fixtureSource(f: Fixture): CpuSource {
  let text = readFileSync(join(DIR, f.file), 'utf8');
  if (f.deleteMarked) {
    const lines = text.split('\n');
    const kept = lines.filter((l) => !l.includes('// DELETE-ME'));
    if (kept.length !== lines.length - 1) throw new Error(`${f.file}: expected one DELETE-ME line`);
    text = kept.join('\n');
  }
  return { file: `${f.name}.cu`, text: text.replaceAll('PFX_', `${f.name}_`) };
}

/** main(argc, argv) that runs fixture argv[1]'s NAME_main. */
export function driverSource(fixtures: readonly Fixture[]): CpuSource {
  const decls = fixtures.map((f) => `extern "C" int ${f.name}_main(int, char**);`);
  const cases = fixtures.map((f) => `  if (!strcmp(argv[1], "${f.name}")) return ${f.name}_main(argc, argv);`);
  const text = ['#include <stdio.h>', '#include <string.h>', ...decls, 'int main(int argc, char** argv) {',
    '  if (argc < 2) return 2;', ...cases, '  fprintf(stderr, "no fixture %s\\n", argv[1]);', '  return 2;', '}', ''].join('\n');
  return { file: 'driver.cpp', text };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function fromBits(b: number): number {
  u32[0] = b;
  return f32[0];
}

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0];
}

/** A seeded xorshift32, so the sweep is the same every run. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

/**
 * About a million f32 bit patterns: every f16 value and the ties between neighbours (and
 * one f32 ulp either side), every bf16 tie pattern (low half 0x8000 and its neighbours),
 * specials (zeros, infinities, NaNs with payloads and signs, the overflow edges, f32
 * subnormals) and random patterns.
 */
export function f32Sweep(): Uint32Array {
  const out: number[] = [];
  for (let h = 0; h < 0x7c00; h++) {
    for (const sign of [0, 0x8000]) {
      const v = f16FromBits(h | sign), next = f16FromBits((h + 1) | sign);
      const tie = bitsOf((v + next) / 2); // exact in f32: halves have 11 significant bits
      out.push(bitsOf(v), tie, tie - 1, tie + 1);
    }
  }
  for (let hi = 0; hi < 0x10000; hi++) out.push(((hi << 16) | 0x8000) >>> 0, ((hi << 16) | 0x7fff) >>> 0, ((hi << 16) | 0x8001) >>> 0);
  const specials = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fbfffff,
    0x7f7fffff, 0xff7fffff, 0x477fe000, 0x477fefff, 0x477ff000, 0x477ff001, 0x33000000, 0x33000001, 0x32ffffff,
    0x33800000, 0x38800000, 0x387fffff, 0x00000001, 0x807fffff, 0x00400000, 0x7f7f8000, 0x7f7f7fff];
  out.push(...specials);
  const next = xorshift(0x6b696c6e);
  while (out.length < 1_000_000) out.push(next());
  return Uint32Array.from(out);
}

/** kiln's reference f16 bits of an f32 (NaN: sign | 0x7e00, the sign JS numbers cannot carry). */
export function refF16(bits: number): number {
  const x = fromBits(bits);
  if (Number.isNaN(x)) return ((bits >>> 16) & 0x8000) | 0x7e00;
  return f16Bits(roundF16(x));
}

/** kiln's reference bf16 bits of an f32 (NaN: the top half, quieted). */
export function refBf16(bits: number): number {
  const x = fromBits(bits);
  if (Number.isNaN(x)) return (bits >>> 16) | 0x40;
  return bitsOf(roundBf16(x)) >>> 16;
}

/** The f32 bits of f16 pattern h (a NaN keeps sign and payload). */
export function refF16ToF32(h: number): number {
  const e = (h >> 10) & 0x1f;
  if (e === 31 && h & 0x3ff) return ((((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13)) >>> 0);
  return bitsOf(f16FromBits(h));
}
