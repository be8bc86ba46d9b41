// The verifier on HLO text: small hand-written cases, and XLA's own corpus, which must
// verify apart from the few modules XLA itself would reject.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { verifyModuleAll } from '../../ir/verify.js';

const problems = (text: string) => verifyModuleAll(parseHlo(text)).map((e) => e.message);

describe('verifying HLO text', () => {
  it('accepts a valid module', () => {
    expect(problems(`
HloModule m

add {
  x = f32[] parameter(0)
  y = f32[] parameter(1)
  ROOT s = f32[] add(x, y)
}

ENTRY main {
  a = f32[2,3]{1,0} parameter(0)
  b = f32[3,4]{1,0} parameter(1)
  d = f32[2,4]{1,0} dot(a, b), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  z = f32[] constant(0)
  ROOT r = f32[2]{0} reduce(d, z), dimensions={1}, to_apply=add
}`)).toEqual([]);
  });

  it('names the instruction whose operands disagree', () => {
    expect(problems(`
HloModule m
ENTRY %main {
  %a = f32[2] parameter(0)
  %b = f32[3] parameter(1)
  ROOT %add.3 = f32[2] add(%a, %b)
}`)).toEqual(['computation %main, instruction %add.3: operand 1 has shape f32[3], expected f32[2]']);
  });

  it('names bad attributes', () => {
    expect(problems(`
HloModule m
ENTRY main {
  a = f32[2,3] parameter(0)
  t = f32[3,2] transpose(a), dimensions={1,1}
  s = f32[2,2] slice(a), slice={[0:2], [1:4]}
  ROOT d = f32[2,2] dot(a, a), lhs_contracting_dims={1}, rhs_contracting_dims={0}
}`)).toEqual([
      'computation %main, instruction %t: dimensions {1,1} names dimension 1 twice',
      'computation %main, instruction %s: slice dimension 1 [1:4] is out of bounds for size 3 (need 0 <= start <= limit <= 3)',
      'computation %main, instruction %d: lhs contracting dim 1 has size 3 but rhs contracting dim 0 has size 2',
    ]);
  });

  it('checks called computations against their callers', () => {
    expect(problems(`
HloModule m
add3 {
  x = f32[] parameter(0)
  y = f32[] parameter(1)
  w = f32[] parameter(2)
  ROOT s = f32[] add(x, y)
}
ENTRY main {
  a = f32[4] parameter(0)
  z = f32[] constant(0)
  ROOT r = f32[] reduce(a, z), dimensions={0}, to_apply=add3
}`)).toEqual(['computation %main, instruction %r: to_apply %add3 takes 3 parameters, expected 2 (2 x 1 input)']);
  });

  it('checks written shapes of ops it cannot infer where that means something', () => {
    expect(problems(`
HloModule m
ENTRY main {
  a = f32[2,3] parameter(0)
  r = f32[5] reshape(a)
  b = f32[3,2] broadcast(a), dimensions={0,1}
  ROOT c = f32[2] custom-call(a), custom_call_target="anything"
}`)).toEqual([
      'computation %main, instruction %r: operand f32[2,3] has 6 elements but the result f32[5] has 5',
      'computation %main, instruction %b: operand dim 0 has size 2 but result dim 0 has size 3',
    ]);
  });
});

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/hlo/', import.meta.url));

/** Corpus modules XLA's own verifier would reject (they come from parser, importer and pass tests). */
const KNOWN_INVALID: Record<string, string> = {
  'algebraic_simplifier_test_338.hlo': 'copy of f32[126,16384] written as f32[16384,126] (a layout test)',
  'generate_hlo_test_checks_test_input_5.hlo': 'calls pass f32[4] to computations taking f32[] (a tool input)',
  'hlo_parser_test_236.hlo': 'tuple written ((f32[2,3]), ...) from f32[2,3] operands (AsyncDoneNoAsyncStart)',
  'hlo_parser_test_237.hlo': 'tuple written ((f32[2,3]), ...) from f32[2,3] operands (an async parser test)',
  'import_1.hlo': 'importer cases with tuple-returning regions and mismatched windows',
  'instruction_fusion_test_14.hlo': 'broadcast of f16 written as f32',
  'invalid_concat_1.hlo': 'concatenate of f32[2,1] and f32[3,1] on dim 1 (named invalid)',
  'layout_normalization_test_8.hlo': 'transpose of f64 written as f32',
  'operand_upcaster_1.hlo': 'dot of s8[8] and s16[8] without contracting dims written as s32[8]',
  'print_indexing_test_1.hlo': 'fusion passes s32[1024] to a parameter of s32[]',
  'rewrite_bf16_conv_to_onednn_2.hlo': 'convolution written bf16[4,4,5,5,32]; its window gives bf16[8,0,5,5,32]',
  'while_3.hlo': 'broadcast of f32[1] into f32[3] along dim 0 (an importer test)',
  // rng written with three operands (min, max, shape): the opcode table gives rng two.
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((i) => [`rng_expander_${i}.hlo`, 'rng with three operands'])),
};

describe.skipIf(!existsSync(CORPUS))('the XLA corpus', () => {
  it('verifies every module that parses, except those XLA would reject', () => {
    const unexpected: string[] = [];
    let verified = 0;
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.hlo')).sort()) {
      let m;
      try {
        m = parseHlo(readFileSync(CORPUS + file, 'utf8'), file);
      } catch {
        continue; // the parser's own tests track what does not parse
      }
      const errors = verifyModuleAll(m);
      if (errors.length === 0) verified++;
      else if (!(file in KNOWN_INVALID)) unexpected.push(`${file}: ${errors[0].message}`);
    }
    expect(unexpected).toEqual([]);
    expect(verified).toBeGreaterThan(2000);
  });
});
