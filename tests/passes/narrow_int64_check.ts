// The semantic check behind narrow_int64.test.ts: a backend that runs narrow-int64 on the
// module, runs both the original and the narrowed module on the interpreter, and fails
// when their results differ by a bit; it counts the modules that touch 64-bit integers
// before and after. runCase (compiler/onnx_backend_tests.ts) drives it over ONNX's cases.
import type { Backend } from '../../compiler/backend.js';
import { interpret, InterpretError } from '../../ir/interpret/index.js';
import type { Module } from '../../ir/module.js';
import { verifyModule } from '../../ir/verify.js';
import { narrowInt64 } from '../../passes/narrow_int64.js';
import { firstDeviceWideUse, describeWideUse, wideIntUses } from '../../passes/wide_ints.js';
import { arrayLiteral, type ArrayLiteral, type Literal } from '../../ir/literal.js';
import { bitDifference } from './helpers.js';

/** 64-bit values far out of any index range, at the saturation bounds, and small ones of both signs. */
export const EXTREMES = [-(1n << 63n), -(1n << 40n), -(1n << 31n) - 1n, -(1n << 30n), -17n, -6n, -5n, -1n, 0n, 1n, 4n, 5n, 6n, 17n, 1n << 30n, 1n << 31n, 1n << 40n, (1n << 63n) - 1n];

/** The interpreter's result, or undefined where it refuses (a budget, an unsupported case): nothing to compare. */
function interpretOrSkip(m: Module, args: Literal[]): Literal | undefined {
  try {
    return interpret(m, args);
  } catch (e) {
    if (e instanceof InterpretError) return undefined;
    throw e;
  }
}

/** args with every s64/u64 input's elements cycling through EXTREMES (wrapped to u64), or undefined when there is none. */
function withExtremeIndices(args: readonly Literal[]): Literal[] | undefined {
  let any = false;
  const out = args.map((a, k) => {
    if (a.shape.kind !== 'array' || (a.shape.dtype !== 's64' && a.shape.dtype !== 'u64')) return a;
    any = true;
    const values = Array.from({ length: (a as ArrayLiteral).data.length }, (_, j) => {
      const v = EXTREMES[(j * 7 + k) % EXTREMES.length];
      return a.shape.kind === 'array' && a.shape.dtype === 'u64' ? BigInt.asUintN(64, v) : v;
    });
    return arrayLiteral(a.shape, values);
  });
  return any ? out : undefined;
}

export interface NarrowStats {
  modules: number;
  /** Modules with an instruction that touches s64/u64, before the pass. */
  wideBefore: number;
  /** ... after it, boundary conversions included. */
  wideAfter: number;
  /** ... after it, only instructions that need 64 bits on the device (not boundary conversions). */
  deviceWideAfter: number;
  /** Modules still needing 64 bits on the device: the instruction that does. */
  remaining: string[];
  /** Data sets whose results were compared (original against narrowed). */
  compared: number;
  /** ... and runs with every 64-bit input replaced by values far out of range (the saturation proofs' tails). */
  extremeCompared: number;
}

export const emptyStats = (): NarrowStats => ({ modules: 0, wideBefore: 0, wideAfter: 0, deviceWideAfter: 0, remaining: [], compared: 0, extremeCompared: 0 });

/** Counts m before and after narrowing into stats; returns the narrowed module (verified). */
export function narrowAndCount(m: Module, stats: NarrowStats, label: string): Module {
  const n = narrowInt64(m);
  verifyModule(n);
  stats.modules++;
  if (wideIntUses(m).length > 0) stats.wideBefore++;
  if (wideIntUses(n).length > 0) stats.wideAfter++;
  const first = firstDeviceWideUse(n);
  if (first) {
    stats.deviceWideAfter++;
    stats.remaining.push(`${label}: ${describeWideUse(first)}`);
  }
  return n;
}

/** The interpreter, running the module as narrow-int64 leaves it and checking it against the original, bit for bit. */
export function narrowingBackend(stats: NarrowStats, label: () => string): Backend {
  return {
    name: 'interpreter+narrow-int64',
    unavailable: async () => undefined,
    prepare: async (m) => {
      const n = narrowAndCount(m, stats, label());
      return {
        run: async (args) => {
          const before = interpret(m, [...args]);
          const after = interpret(n, [...args]);
          const d = bitDifference(after, before);
          if (d) throw new Error(`narrow-int64 changed the result: ${d}`);
          stats.compared++;
          const extreme = withExtremeIndices(args);
          const original = extreme && interpretOrSkip(m, extreme);
          if (extreme && original) {
            const e = bitDifference(interpret(n, extreme), original);
            if (e) throw new Error(`narrow-int64 changed the result for extreme 64-bit inputs: ${e}`);
            stats.extremeCompared++;
          }
          return before;
        },
      };
    },
  };
}
