// The one table of batching rules, keyed by opcode: a rule, or the reason there is none.
// Typed over the opcode table, so a new opcode fails to compile until it has one or the other.
import type { Opcode } from '../../ir/opcodes.js';
import { COMPUTE_RULES } from './rules_compute.js';
import { CONTROL_RULES } from './rules_control.js';
import { convolutionRule } from './rules_conv.js';
import { ELEMENTWISE_RULES } from './rules_elementwise.js';
import { INDEXING_RULES } from './rules_indexing.js';
import { STRUCTURAL_RULES } from './rules_structural.js';
import { type BatchRule, type NotBatchable, notBatchable } from './types.js';

const OPAQUE = notBatchable(
  'kiln parses, verifies and prints this opcode but never computes it, so no batching rule could be checked against the interpreter',
);
const COLLECTIVE = notBatchable('a collective or asynchronous op: it exchanges data between devices or threads, and the batch is not one of them');
const LINALG = notBatchable(
  'opaque in kiln (the interpreter does not compute it); XLA gives it leading batch dims, so a rule is a small step once kiln computes it',
);

export const NOT_BATCHABLE = {
  rng: notBatchable("its distribution's parameters differ per example, but one rng draws from one distribution; the draws are backend-defined, so no rewrite can be checked against the per-example program"),
  'rng-bit-generator': notBatchable('each example would need its own generator stream from its own state; the stacked states do not give the stacked outputs'),
  'stochastic-convert': notBatchable('random rounding, backend-defined and not computed by kiln'),
  fusion: notBatchable('fusion is a backend decision made after vmap: batch the module before the fusion pass'),
  'custom-call': notBatchable('an opaque target: kiln cannot see what it computes, so it cannot know how the batch passes through it'),
  'dynamic-reshape': notBatchable('a dynamic shape: kiln computes static shapes only'),
  'get-dimension-size': OPAQUE, 'set-dimension-size': OPAQUE,
  'after-all': OPAQUE, 'add-dependency': OPAQUE, domain: OPAQUE, 'opt-barrier': OPAQUE,
  'partition-id': OPAQUE, 'replica-id': OPAQUE, 'rng-get-and-update-state': OPAQUE,
  infeed: COLLECTIVE, outfeed: COLLECTIVE, send: COLLECTIVE, 'send-done': COLLECTIVE, recv: COLLECTIVE, 'recv-done': COLLECTIVE,
  'all-gather': COLLECTIVE, 'all-gather-start': COLLECTIVE, 'all-gather-done': COLLECTIVE, 'all-reduce': COLLECTIVE,
  'all-reduce-start': COLLECTIVE, 'all-reduce-done': COLLECTIVE, 'all-to-all': COLLECTIVE, 'ragged-all-to-all': COLLECTIVE,
  'reduce-scatter': COLLECTIVE, 'collective-broadcast': COLLECTIVE, 'collective-permute': COLLECTIVE,
  'collective-permute-start': COLLECTIVE, 'collective-permute-done': COLLECTIVE,
  'async-start': COLLECTIVE, 'async-update': COLLECTIVE, 'async-done': COLLECTIVE, 'copy-start': COLLECTIVE, 'copy-done': COLLECTIVE,
  cholesky: LINALG, 'triangular-solve': LINALG, fft: LINALG, topk: LINALG, scan: OPAQUE,
  'batch-norm-training': LINALG, 'batch-norm-inference': LINALG, 'batch-norm-grad': LINALG,
  'ragged-dot': OPAQUE, 'scaled-dot': OPAQUE,
};

export type BatchingTable = { readonly [O in Opcode]: BatchRule<O> | NotBatchable };

export const RULES: BatchingTable = {
  ...ELEMENTWISE_RULES,
  ...STRUCTURAL_RULES,
  ...INDEXING_RULES,
  ...COMPUTE_RULES,
  convolution: convolutionRule,
  ...CONTROL_RULES,
  ...NOT_BATCHABLE,
};
