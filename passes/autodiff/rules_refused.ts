// The opcodes autodiff does not differentiate, each with the reason an error will give.
import { type NotDifferentiable, nd } from './types.js';

const OPAQUE = nd('kiln parses and verifies this opcode but does not compute it, so it has no derivative rule');

type RefusedOp =
  | 'map' | 'rng' | 'rng-bit-generator' | 'call' | 'fusion' | 'while' | 'conditional' | 'custom-call' | 'dynamic-reshape'
  | 'after-all' | 'add-dependency' | 'all-gather' | 'all-gather-start' | 'all-gather-done' | 'all-reduce' | 'all-reduce-start'
  | 'all-reduce-done' | 'all-to-all' | 'ragged-all-to-all' | 'reduce-scatter' | 'collective-broadcast' | 'collective-permute'
  | 'collective-permute-start' | 'collective-permute-done' | 'async-start' | 'async-update' | 'async-done' | 'copy-start'
  | 'copy-done' | 'send' | 'send-done' | 'recv' | 'recv-done' | 'infeed' | 'outfeed' | 'domain' | 'opt-barrier'
  | 'partition-id' | 'replica-id' | 'get-dimension-size' | 'set-dimension-size' | 'rng-get-and-update-state' | 'cholesky'
  | 'triangular-solve' | 'fft' | 'topk' | 'scan' | 'batch-norm-training' | 'batch-norm-inference' | 'batch-norm-grad'
  | 'ragged-dot' | 'scaled-dot';

export const REFUSED: { [O in RefusedOp]: NotDifferentiable } = {
  map: nd('map is differentiated only when its to_apply is elementwise arithmetic (then it is expanded into those ops first); this one is not'),
  rng: nd('rng draws random numbers; its result is not a differentiable function of its parameters'),
  'rng-bit-generator': nd('rng-bit-generator makes random bits; it has no derivative'),
  call: nd('calls are inlined before differentiation; one left here is a kiln bug'),
  fusion: nd('fusions are formed after differentiation: differentiate the module before the fusion pass'),
  while: nd('while loops are not differentiable yet (reverse mode needs the loop\'s intermediate values stored or recomputed)'),
  conditional: nd('conditionals are not differentiable yet (each branch would need its own derivative computation)'),
  'custom-call': nd('a custom-call is opaque to kiln: its target has no derivative rule'),
  'dynamic-reshape': OPAQUE,
  'after-all': OPAQUE, 'add-dependency': OPAQUE, 'all-gather': OPAQUE, 'all-gather-start': OPAQUE, 'all-gather-done': OPAQUE,
  'all-reduce': OPAQUE, 'all-reduce-start': OPAQUE, 'all-reduce-done': OPAQUE, 'all-to-all': OPAQUE, 'ragged-all-to-all': OPAQUE,
  'reduce-scatter': OPAQUE, 'collective-broadcast': OPAQUE, 'collective-permute': OPAQUE, 'collective-permute-start': OPAQUE,
  'collective-permute-done': OPAQUE, 'async-start': OPAQUE, 'async-update': OPAQUE, 'async-done': OPAQUE, 'copy-start': OPAQUE,
  'copy-done': OPAQUE, send: OPAQUE, 'send-done': OPAQUE, recv: OPAQUE, 'recv-done': OPAQUE, infeed: OPAQUE, outfeed: OPAQUE,
  domain: OPAQUE, 'opt-barrier': OPAQUE, 'partition-id': OPAQUE, 'replica-id': OPAQUE, 'get-dimension-size': OPAQUE,
  'set-dimension-size': OPAQUE, 'rng-get-and-update-state': OPAQUE, cholesky: OPAQUE, 'triangular-solve': OPAQUE, fft: OPAQUE,
  topk: OPAQUE, scan: OPAQUE, 'batch-norm-training': OPAQUE, 'batch-norm-inference': OPAQUE, 'batch-norm-grad': OPAQUE,
  'ragged-dot': OPAQUE, 'scaled-dot': OPAQUE,
};
