// The interpreter's work budget refuses a result it cannot pay for before allocating it:
// found by the fuzz test, where an iota of 2^31 elements took seconds and gigabytes only
// to be refused afterwards.
import { describe, expect, it } from 'vitest';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { BudgetExceeded, interpret } from '../../ir/interpret/index.js';

describe('interpretation budget', () => {
  it('refuses a huge result before computing it', () => {
    const m = parseHlo('HloModule m\nENTRY e {\n  i = s8[2147483647] iota(), iota_dimension=0\n  ROOT a = s8[2147483647] abs(i)\n}', 'm.hlo');
    const t0 = performance.now();
    expect(() => interpret(m, [], { maxElements: 1e6 })).toThrow(BudgetExceeded);
    // Allocating 2^31 elements first took seconds; a second leaves room for a loaded CI machine.
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('still runs what fits', () => {
    const m = parseHlo('HloModule m\nENTRY e {\n  ROOT i = s32[100] iota(), iota_dimension=0\n}', 'm.hlo');
    expect(() => interpret(m, [], { maxElements: 1e6 })).not.toThrow();
  });
});
