// The one rule table: every opcode, a Rule or the reason it has none. Typed over the
// opcode table (RuleTable), so a new opcode fails to compile here until it is decided.
import { COMPUTE_RULES } from './rules_compute.js';
import { convolution } from './rules_conv.js';
import { ELEMENTWISE_RULES } from './rules_elementwise.js';
import { GATHER_RULES } from './rules_gather.js';
import { REFUSED } from './rules_refused.js';
import { sort } from './rules_sort.js';
import { STRUCTURAL_RULES } from './rules_structural.js';
import { WINDOW_RULES } from './rules_window.js';
import type { RuleTable } from './types.js';

export const RULES: RuleTable = {
  ...ELEMENTWISE_RULES,
  ...STRUCTURAL_RULES,
  ...COMPUTE_RULES,
  convolution,
  ...WINDOW_RULES,
  ...GATHER_RULES,
  sort,
  ...REFUSED,
};
