// The passes by name and the orders they run in. `kiln opt --passes a,b,c` reads PASSES;
// every pass leaves a module that verifies, and runPasses checks that after each one.
import type { Module } from '../ir/module.js';
import type { TargetDescription } from '../ir/target.js';
import { verifyModule } from '../ir/verify.js';
import { callInline } from './call_inline.js';
import { conditionalSimplify } from './conditional_simplify.js';
import { constantFold } from './constant_fold.js';
import { convLayout } from './conv_layout.js';
import { convPadding } from './conv_padding.js';
import { cse } from './cse.js';
import { dce } from './dce.js';
import { fusion } from './fusion.js';
import { narrowInt64 } from './narrow_int64.js';
import type { Pass } from './rewrite.js';
import { simplify } from './simplify.js';
import { transposedConv } from './transposed_conv.js';
import { whileSimplify } from './while_simplify.js';

export type { Pass } from './rewrite.js';

export const PASSES: Record<string, Pass> = {
  'call-inline': callInline,
  simplify: (m) => simplify(m),
  'constant-fold': constantFold,
  cse,
  dce,
  fusion: (m) => fusion(m),
  'fusion-no-rows': (m) => fusion(m, { rows: false }),
  'transposed-conv': transposedConv,
  'conv-padding': convPadding,
  'conv-layout': convLayout,
  'conditional-simplify': conditionalSimplify,
  'while-simplify': whileSimplify,
  // Not in DEFAULT_PIPELINE: a target without 64-bit integers (WGSL) opts in.
  'narrow-int64': narrowInt64,
};

/**
 * Every pass, in the order they run. Inline calls first (lowering never sees one),
 * simplify (it exposes constants and duplicates), fold, then remove the control flow
 * constants decided (a conditional on a constant, a loop that runs 0 or 1 times), merge,
 * sweep away the dead, make convolution padding explicit (so tiled convolutions read
 * without bounds checks), give convolutions HWIO kernels (and NHWC inputs where their
 * outputs' features are minor: the tiled kernel's planar and feature modes), then fuse.
 * The two convolution passes are a target's choice (pipelineFor); wasm
 * makes both, so this is wasm's pipeline and what `--passes default` runs.
 */
export const DEFAULT_PIPELINE: readonly string[] = [
  'call-inline', 'simplify', 'constant-fold', 'conditional-simplify', 'while-simplify', 'cse', 'dce', 'transposed-conv', 'conv-padding', 'conv-layout', 'fusion',
];

/** The passes that serve one target's kernels rather than every target's, and whether a target wants each. */
const TARGET_CHOICES: Readonly<Record<string, (t: TargetDescription) => boolean>> = {
  'conv-padding': (t) => t.hlo.explicitConvPadding,
  'conv-layout': (t) => t.hlo.convKernelLayout === 'hwio',
};

/**
 * A target's pipeline: DEFAULT_PIPELINE's order, less the target-chosen passes it does not
 * want; a target without 64-bit integers (WGSL) also narrows what it can to 32 bits, before
 * fusion, since the pass's range proofs read the unfused graph.
 */
export function pipelineFor(t: TargetDescription): string[] {
  const names = DEFAULT_PIPELINE.filter((name) => TARGET_CHOICES[name]?.(t) ?? true).map((name) => (name === 'fusion' && !t.hlo.rowFusion ? 'fusion-no-rows' : name));
  if (!t.capabilities.int64) names.splice(names.findIndex((n) => n.startsWith('fusion')), 0, 'narrow-int64');
  return names;
}

/** Names for `--passes`: `default` expands to DEFAULT_PIPELINE; an unknown name throws, listing the known ones. */
export function resolvePasses(spec: string): string[] {
  const names = spec.split(',').map((s) => s.trim()).filter((s) => s !== '').flatMap((s) => (s === 'default' ? [...DEFAULT_PIPELINE] : [s]));
  const unknown = names.filter((n) => !Object.prototype.hasOwnProperty.call(PASSES, n));
  if (unknown.length > 0)
    throw new UnknownPassError(`unknown pass${unknown.length > 1 ? 'es' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; known: ${[...Object.keys(PASSES), 'default'].join(', ')}`);
  return names;
}

export class UnknownPassError extends Error {
  override name = 'UnknownPassError';
}

/** Runs the named passes in order, verifying after each; `after` sees every intermediate module. */
export function runPasses(m: Module, names: readonly string[] = DEFAULT_PIPELINE, after?: (pass: string, m: Module) => void): Module {
  let cur = m;
  for (const name of names) {
    const pass = PASSES[name];
    if (!pass) throw new UnknownPassError(`unknown pass '${name}'`);
    cur = pass(cur);
    try {
      verifyModule(cur);
    } catch (e) {
      throw new Error(`pass ${name} left an invalid module: ${(e as Error).message}`, { cause: e });
    }
    after?.(name, cur);
  }
  return cur;
}
