// Hostile HLO text: malformed syntax, nesting deep enough to overflow a recursive
// parser, dims no target can hold, and ops the backends cannot run. Each case is text
// that kiln must refuse with a one-line message (exit 2, 3 or 4), never a crash.
import { readdirSync, readFileSync } from 'node:fs';
import { rng } from '../../compiler/random.js';
import type { HostileFile } from './types.js';

const module = (body: string, extra = ''): string => `HloModule hostile\n${extra}\nENTRY e {\n${body}\n}\n`;
const unary = (shape: string, op = 'negate'): string =>
  module(`  p = ${shape} parameter(0)\n  ROOT r = ${shape} ${op}(p)`);

/** Sizes that overflow every target: beyond 2^32 bytes, beyond 2^53, beyond 2^64. */
const HUGE_DIMS = ['100000000000', '4294967296', '1099511627776', '9007199254740993', '4722366482869645213696', '99999999999999999999999999999'];

/** Valid HLO that only a backend with the memory runs: `opt` prints it. */
const OPT_ONLY = ['opt'];

function hugeShapes(): HostileFile[] {
  const out: HostileFile[] = [];
  HUGE_DIMS.forEach((d, k) => {
    const mayPass = k < 3 ? OPT_ONLY : undefined; // 1e11, 2^32 and 2^40 elements: exact, so parsed; refused by every backend
    out.push({ name: `huge_param_${k}.hlo`, text: unary(`f32[${d}]`), mayPass });
    out.push({ name: `huge_param2d_${k}.hlo`, text: unary(`f32[${d},${d}]`) });
    out.push({ name: `huge_constant_splat_${k}.hlo`, text: module(`  ROOT c = f32[${d}] constant(0)`) });
    out.push({ name: `huge_iota_${k}.hlo`, text: module(`  ROOT i = s32[${d}] iota(), iota_dimension=0`), mayPass });
    out.push({ name: `huge_broadcast_${k}.hlo`, text: module(`  p = f32[] parameter(0)\n  ROOT b = f32[${d}] broadcast(p), dimensions={}`), mayPass });
  });
  out.push({ name: 'broadcast_4e9.hlo', text: module('  p = f32[2] parameter(0)\n  ROOT b = f32[2,2000000000] broadcast(p), dimensions={0}'), mayPass: OPT_ONLY });
  out.push({ name: 'broadcast_2e9_pred.hlo', text: module('  p = pred[] parameter(0)\n  ROOT b = pred[65536,65536] broadcast(p), dimensions={}'), mayPass: OPT_ONLY });
  out.push({ name: 'pad_2p40.hlo', text: module('  p = f32[2] parameter(0)\n  z = f32[] constant(0)\n  ROOT r = f32[1099511627778] pad(p, z), padding=0_1099511627776'), mayPass: OPT_ONLY });
  out.push({ name: 'pad_interior_huge.hlo', text: module('  p = f32[3] parameter(0)\n  z = f32[] constant(0)\n  ROOT r = f32[2000000000003] pad(p, z), padding=0_0_1000000000000'), mayPass: OPT_ONLY });
  out.push({ name: 'reshape_huge.hlo', text: module('  p = f32[1] parameter(0)\n  ROOT r = f32[1,1099511627776] reshape(p)') });
  out.push({ name: 'tuple_of_huge.hlo', text: module('  p = f32[] parameter(0)\n  b = f32[3000000000] broadcast(p), dimensions={}\n  ROOT t = (f32[3000000000], f32[3000000000]) tuple(b, b)'), mayPass: OPT_ONLY });
  out.push({ name: 'arena_over_4g.hlo', text: module('  p = f32[600000000] parameter(0)\n  q = f32[600000000] negate(p)\n  ROOT r = f32[600000000] add(p, q)'), mayPass: OPT_ONLY });
  out.push({ name: 'dim_float.hlo', text: unary('f32[2.5]') });
  out.push({ name: 'dim_negative.hlo', text: unary('f32[-3]') });
  out.push({ name: 'dim_hex.hlo', text: unary('f32[0x10]') });
  out.push({ name: 'rank_10000.hlo', text: unary(`f32[${Array(10000).fill(1).join(',')}]`), mayPass: 'all', only: ['opt', 'run'] });
  return out;
}

/** 10,000 levels of each construct a recursive-descent parser recurses on. */
function deepNesting(): HostileFile[] {
  const n = 10_000;
  const tupleShape = '('.repeat(n) + 'f32[]' + ')'.repeat(n);
  let operand = 'p';
  for (let i = 0; i < 2000; i++) operand = `f32[] negate(${operand})`;
  const nestedOps = 'f32[] negate('.repeat(n) + 'p' + ')'.repeat(n);
  const literalTuple = '('.repeat(n) + '1' + ')'.repeat(n);
  const braces = '{'.repeat(n) + '1' + '}'.repeat(n);
  return [
    { name: 'deep_tuple_shape.hlo', text: module(`  p = ${tupleShape} parameter(0)\n  ROOT r = ${tupleShape} copy(p)`) },
    { name: 'deep_operands_2000.hlo', text: module(`  p = f32[] parameter(0)\n  ROOT r = f32[] negate(${operand})`) },
    { name: 'deep_operands_10000.hlo', text: module(`  p = f32[] parameter(0)\n  ROOT r = f32[] negate(${nestedOps})`) },
    { name: 'deep_literal_tuple.hlo', text: module(`  ROOT c = ${tupleShape} constant(${literalTuple})`) },
    { name: 'deep_literal_braces.hlo', text: module(`  ROOT c = f32[1] constant(${braces})`) },
    // Attribute values are skipped as balanced tokens, not parsed: deep braces there are harmless.
    { name: 'deep_attr_braces.hlo', text: module(`  p = f32[2] parameter(0)\n  ROOT r = f32[2] negate(p), metadata=${braces}`), mayPass: 'all', only: ['opt'] },
    // Legal HLO: call inlining (another branch) will compile it; until then a clean refusal.
    { name: 'deep_calls.hlo', text: deepCalls(5000), mayPass: 'all', only: ['opt', 'run'] },
  ];
}

/** A chain of computations each calling the next: `kiln run` must not overflow the stack. */
function deepCalls(n: number): string {
  const comps: string[] = [`c${n} {\n  x = f32[] parameter(0)\n  ROOT r = f32[] negate(x)\n}`];
  for (let i = n - 1; i >= 0; i--) comps.push(`c${i} {\n  x = f32[] parameter(0)\n  ROOT r = f32[] call(x), to_apply=c${i + 1}\n}`);
  return `HloModule calls\n${comps.join('\n')}\nENTRY e {\n  p = f32[] parameter(0)\n  ROOT r = f32[] call(p), to_apply=c0\n}\n`;
}

/** Shapes and ops no backend runs: unbounded dynamic dims, custom calls, tokens. */
function unrunnable(): HostileFile[] {
  const files: HostileFile[] = [
    { name: 'dynamic_unknown.hlo', text: unary('f32[?]') },
    { name: 'dynamic_mixed.hlo', text: unary('f32[2,?]') },
    { name: 'custom_call.hlo', text: module('  p = f32[2] parameter(0)\n  ROOT r = f32[2] custom-call(p), custom_call_target="Frobnicate"') },
    { name: 'custom_call_tuple.hlo', text: module('  p = f32[2] parameter(0)\n  ROOT r = (f32[2], s32[]) custom-call(p), custom_call_target="TopK"') },
    { name: 'token_param.hlo', text: module('  p = token[] parameter(0)\n  ROOT r = token[] after-all(p)') },
    { name: 'infeed.hlo', text: module('  t = token[] after-all()\n  ROOT r = (f32[2], token[]) infeed(t)') },
    { name: 'rng.hlo', text: module('  a = f32[] constant(0)\n  b = f32[] constant(1)\n  ROOT r = f32[4] rng(a, b), distribution=rng_uniform') },
  ];
  // Bounded dims (`<=N`) run and compile at their bound, as before: they must keep doing so.
  const bounded: HostileFile[] = [
    { name: 'dynamic_bounded.hlo', text: unary('f32[<=4]'), mayPass: 'all' },
    { name: 'dynamic_bounded_mixed.hlo', text: unary('f32[2,<=3]'), mayPass: 'all' },
  ];
  return [...files.map((f) => ({ ...f, mayPass: OPT_ONLY })), ...bounded];
}

/** Text that is not HLO at all, or HLO cut short. */
function malformed(): HostileFile[] {
  const good = unary('f32[2]');
  const out: HostileFile[] = [
    { name: 'empty.hlo', text: '' },
    { name: 'only_header.hlo', text: 'HloModule m\n' },
    { name: 'binary.hlo', bytes: Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24) },
    { name: 'invalid_utf8.hlo', bytes: Uint8Array.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]) },
    { name: 'nul_bytes.hlo', text: good.replace('negate', 'neg\0ate') },
    { name: 'long_line.hlo', text: module(`  p = f32[2] parameter(0)\n  ROOT r = f32[2] negate(p), metadata={op_name="${'x'.repeat(1 << 20)}"}`), mayPass: 'all', only: ['opt'] },
    { name: 'unbalanced_open.hlo', text: good.replace(/\}\n$/, '') },
    { name: 'unbalanced_close.hlo', text: good + '}}}\n' },
    { name: 'unknown_opcode.hlo', text: unary('f32[2]', 'frobnicate') },
    { name: 'unknown_dtype.hlo', text: unary('q7[2]') },
    { name: 'missing_operand.hlo', text: module('  ROOT r = f32[2] negate(nope)') },
    { name: 'wrong_arity.hlo', text: module('  p = f32[2] parameter(0)\n  ROOT r = f32[2] add(p)') },
    { name: 'wrong_shape.hlo', text: module('  p = f32[2] parameter(0)\n  ROOT r = f32[3] negate(p)') },
    { name: 'cycle.hlo', text: module('  a = f32[2] negate(b)\n  b = f32[2] negate(a)\n  ROOT r = f32[2] add(a, b)') },
    { name: 'self_call.hlo', text: 'HloModule m\nf {\n  x = f32[] parameter(0)\n  ROOT r = f32[] call(x), to_apply=f\n}\nENTRY e {\n  p = f32[] parameter(0)\n  ROOT r = f32[] call(p), to_apply=f\n}\n' },
    { name: 'duplicate_param.hlo', text: module('  p = f32[2] parameter(0)\n  q = f32[2] parameter(0)\n  ROOT r = f32[2] add(p, q)') },
    { name: 'param_gap.hlo', text: module('  p = f32[2] parameter(7)\n  ROOT r = f32[2] negate(p)') },
    { name: 'param_huge_index.hlo', text: module('  p = f32[2] parameter(99999999999999999999)\n  ROOT r = f32[2] negate(p)') },
    { name: 'gte_out_of_range.hlo', text: module('  p = (f32[2]) parameter(0)\n  ROOT r = f32[2] get-tuple-element(p), index=5') },
    { name: 'constant_too_few.hlo', text: module('  ROOT c = f32[3] constant({1, 2})') },
    { name: 'constant_overflow.hlo', text: module('  ROOT c = s8[1] constant({300})') },
    { name: 'layout_bad.hlo', text: unary('f32[2,3]{5,9}') },
    { name: 'slice_out_of_range.hlo', text: module('  p = f32[4] parameter(0)\n  ROOT r = f32[8] slice(p), slice={[0:8]}') },
    { name: 'transpose_bad_perm.hlo', text: module('  p = f32[2,3] parameter(0)\n  ROOT r = f32[3,2] transpose(p), dimensions={0,0}') },
    { name: 'reduce_no_apply.hlo', text: module('  p = f32[4] parameter(0)\n  z = f32[] constant(0)\n  ROOT r = f32[] reduce(p, z), dimensions={0}') },
    { name: 'dot_bad_dims.hlo', text: module('  a = f32[2,3] parameter(0)\n  b = f32[4,5] parameter(1)\n  ROOT r = f32[2,5] dot(a, b), lhs_contracting_dims={1}, rhs_contracting_dims={0}') },
    { name: 'while_no_body.hlo', text: module('  p = s32[] parameter(0)\n  ROOT r = s32[] while(p), condition=nope, body=nope') },
  ];
  for (const cut of [5, 17, 33, 48, 60]) out.push({ name: `truncated_${cut}.hlo`, text: good.slice(0, Math.floor((good.length * cut) / 64)) });
  return out;
}

/**
 * Byte-level mutations of the golden cases (truncation, flipped and replaced characters,
 * digits made huge): a mutant may still be valid, so exit 0 is allowed; a crash is not.
 */
function mutants(count: number): HostileFile[] {
  const dir = new URL('../golden/cases/', import.meta.url);
  const seeds = readdirSync(dir).filter((f) => f.endsWith('.hlo')).sort().map((f) => readFileSync(new URL(f, dir), 'utf8'));
  const next = rng(4242);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  return Array.from({ length: count }, (_, i) => {
    let text = seeds[i % seeds.length];
    const at = Math.floor(next() * text.length);
    switch (Math.floor(next() * 4)) {
      case 0: text = text.slice(0, at); break;
      case 1: text = text.slice(0, at) + pick(['(', ')', '{', '}', '[', ']', ',', '=', '%', '"', '\0']) + text.slice(at + 1); break;
      case 2: text = text.replace(/\d+/g, (d) => (next() < 0.2 ? pick(['4294967296', '99999999999999999999', '0', '-1']) : d)); break;
      default: text = text.slice(0, at) + text.slice(at, at + 40).split('').reverse().join('') + text.slice(at + 40);
    }
    return { name: `mutant_${String(i).padStart(3, '0')}.hlo`, text, mayPass: 'all', only: ['opt', 'run'] };
  });
}

export function hloCases(): HostileFile[] {
  return [...hugeShapes(), ...deepNesting(), ...unrunnable(), ...malformed(), ...mutants(200)];
}
