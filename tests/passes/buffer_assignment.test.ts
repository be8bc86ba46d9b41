// Buffer assignment: aliases, liveness, in-place writes, packing; and a checker, run over
// the golden cases, LeNet-5 and a sample of the XLA corpus, that no value is overwritten
// while something still reads it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hloFiles } from '../../compiler/corpus.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import type { Instruction, Module } from '../../ir/module.js';
import { isElementwise } from '../../ir/opcodes.js';
import { leaves } from '../../ir/shape.js';
import { verifyModule } from '../../ir/verify.js';
import { type BufferAssignment, type LogicalBuffer, assignBuffers, formatBufferReport } from '../../passes/buffer_assignment.js';
import { leafPaths } from '../../passes/buffer_liveness.js';
import { runPasses } from '../../passes/pipeline.js';
import { HLO_CORPUS, haveCorpus } from '../corpus/paths.js';
import { loadCases } from '../golden/harness.js';
import { hlo } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CORPUS_MODULES = 100;

const leafBuffers = (a: BufferAssignment, i: Instruction): LogicalBuffer[] => leafPaths(i.shape).map((p) => a.bufferOf(i, p));
const byName = (m: Module, name: string): Instruction => m.entry.instructions.find((i) => i.name === name)!;
const offsetOf = (a: BufferAssignment, m: Module, name: string): number | undefined => a.bufferOf(byName(m, name)).slice?.offset;
const layout = (a: BufferAssignment): string => JSON.stringify(a.buffers.map((b) => [b.instr.name, b.index, b.kind, b.slice]));

/**
 * Runs the schedule against the arena, one tag per piece of it (cut at every slice's start
 * and end, so huge arenas stay cheap): every instruction first checks that each buffer it
 * reads still holds that buffer's tag, then tags what it writes. So a buffer overwritten
 * while something still reads it is caught, without trusting the assignment's own live
 * ranges. A result may share bytes with an operand of the same instruction only when it
 * took over that temp's slice exactly (in place; the unit tests below check when that is legal).
 */
function problems(m: Module, a: BufferAssignment): string[] {
  const out: string[] = [];
  const unit = a.alignment;
  const size = (b: LogicalBuffer) => Math.ceil(b.bytes / unit) * unit;
  for (const b of a.buffers) {
    const s = b.slice;
    if (b.kind === 'constant') {
      if (s) out.push(`constant ${b.instr.name} has a slice`);
      continue;
    }
    if (!s) out.push(`${b.instr.name} has no slice`);
    else if (s.offset % unit !== 0 || s.bytes !== b.bytes || s.offset + size(b) > a.arenaBytes) out.push(`${b.instr.name}: bad slice ${JSON.stringify(s)}`);
  }
  if (out.length > 0) return out;
  const placed = a.buffers.filter((b) => b.slice);
  const cuts = [...new Set(placed.flatMap((b) => [b.slice!.offset, b.slice!.offset + size(b)]))].sort((x, y) => x - y);
  const piece = new Map(cuts.map((c, k) => [c, k]));
  const cells = new Int32Array(cuts.length).fill(-1);
  const span = (b: LogicalBuffer) => [piece.get(b.slice!.offset)!, piece.get(b.slice!.offset + size(b))!] as const;
  const write = (b: LogicalBuffer) => cells.fill(b.id, ...span(b));
  const holds = (b: LogicalBuffer) => cells.subarray(...span(b)).every((t) => t === b.id);
  const overlap = (x: LogicalBuffer, y: LogicalBuffer) => size(x) > 0 && size(y) > 0 && span(x)[0] < span(y)[1] && span(y)[0] < span(x)[1];
  const inArena = (b: LogicalBuffer) => b.kind !== 'constant';
  for (const p of m.entry.params) leafBuffers(a, p).forEach(write);
  for (const instr of m.entry.instructions) {
    const written = leafBuffers(a, instr).filter((b) => b.instr === instr && inArena(b));
    if (instr.opcode === 'parameter' || leafBuffers(a, instr).every((b) => b.instr !== instr)) continue; // aliases read nothing
    const read = [...new Set(instr.operands.flatMap((o) => leafBuffers(a, o)))].filter(inArena);
    for (const r of read) if (!holds(r)) out.push(`${instr.name} reads ${r.instr.name}${r.index.length ? `{${r.index}}` : ''}, overwritten before`);
    for (const w of written)
      for (const r of read)
        if (overlap(w, r) && !(w.inPlaceOf === r && r.kind === 'temp' && w.slice!.offset === r.slice!.offset && inPlaceCapable(instr)))
          out.push(`${instr.name} writes over ${r.instr.name}, which it reads`);
    written.forEach(write);
  }
  for (const b of leafBuffers(a, m.entry.root)) {
    if (inArena(b) && !holds(b)) out.push(`output ${b.instr.name} overwritten before the end`);
    if (b.kind === 'temp') out.push(`${b.instr.name} reaches the root but is a temp`);
  }
  return out;
}

const inPlaceCapable = (i: Instruction): boolean =>
  isElementwise(i.opcode) || (i.opcode === 'fusion' && (i.attrs as { kind: string }).kind === 'kLoop');

/** Assigns with and without reuse, checks both, and returns the assignment with reuse. */
function checked(m: Module): BufferAssignment {
  const a = assignBuffers(m);
  expect(problems(m, a)).toEqual([]);
  const flat = assignBuffers(m, { reuse: false, inPlace: false });
  expect(problems(m, flat)).toEqual([]);
  expect(flat.arenaBytes).toBe(flat.noReuseBytes);
  expect(a.arenaBytes).toBeLessThanOrEqual(flat.arenaBytes);
  return a;
}

const ADD = `
add {
  x = f32[] parameter(0)
  y = f32[] parameter(1)
  ROOT s = f32[] add(x, y)
}`;

describe('buffer assignment', () => {
  it('gives tuple, get-tuple-element, bitcast and reshape their operands\u2019 buffers', () => {
    const m = hlo(`HloModule m
ENTRY e {
  p = f32[2,3] parameter(0)
  a = f32[2,3] exponential(p)
  r = f32[6] reshape(a)
  b = f32[3,2] bitcast(a)
  t = (f32[6], f32[2,3]) tuple(r, p)
  g = f32[6] get-tuple-element(t), index=0
  n = f32[6] negate(g)
  ROOT out = (f32[6], f32[3,2]) tuple(n, b)
}`);
    const a = checked(m);
    const buf = (name: string, index: number[] = []) => a.bufferOf(byName(m, name), index);
    expect(buf('r')).toBe(buf('a'));
    expect(buf('b')).toBe(buf('a'));
    expect(buf('g')).toBe(buf('a'));
    expect(buf('t', [1])).toBe(buf('p'));
    expect(buf('out', [0])).toBe(buf('n'));
    expect(() => buf('t')).toThrow(/tuple/);
    expect(a.buffers.map((b) => `${b.instr.name}:${b.kind}`)).toEqual(['p:parameter', 'a:output', 'n:output']);
    // a stays live through its aliases: n (which reads it via g) may not take its bytes.
    expect(buf('a').end).toBe(m.entry.instructions.length);
    expect(buf('n').inPlaceOf).toBeUndefined();
  });

  it('gives each leaf of a multi-result op its own buffer', () => {
    const m = hlo(`HloModule m
cond {
  s = (s32[], f32[4]) parameter(0)
  i = s32[] get-tuple-element(s), index=0
  n = s32[] constant(3)
  ROOT lt = pred[] compare(i, n), direction=LT
}
body {
  s = (s32[], f32[4]) parameter(0)
  i = s32[] get-tuple-element(s), index=0
  one = s32[] constant(1)
  j = s32[] add(i, one)
  v = f32[4] get-tuple-element(s), index=1
  w = f32[4] add(v, v)
  ROOT t = (s32[], f32[4]) tuple(j, w)
}
ENTRY e {
  p = f32[4] parameter(0)
  zero = s32[] constant(0)
  init = (s32[], f32[4]) tuple(zero, p)
  loop = (s32[], f32[4]) while(init), condition=cond, body=body
  ROOT v = f32[4] get-tuple-element(loop), index=1
}`);
    const a = checked(m);
    const loop = byName(m, 'loop');
    expect([a.bufferOf(loop, [0]).kind, a.bufferOf(loop, [1]).kind]).toEqual(['temp', 'output']);
    expect(a.bufferOf(byName(m, 'init'), [0]).kind).toBe('constant');
    expect(a.bufferOf(byName(m, 'init'), [0]).slice).toBeUndefined();
    // The while reads p, so p and the loop's results must not share bytes.
    expect(a.bufferOf(byName(m, 'p')).end).toBe(m.entry.instructions.indexOf(loop));
  });

  it('lets temps with disjoint lifetimes share an offset, and keeps overlapping ones apart', () => {
    const m = hlo(`HloModule m
${ADD}
ENTRY e {
  p = f32[256] parameter(0)
  zero = f32[] constant(0)
  a = f32[256] exponential(p)
  s = f32[] reduce(a, zero), dimensions={0}, to_apply=add
  c = f32[256] broadcast(s), dimensions={}
  d = f32[256] negate(c)
  r = f32[256] add(d, c)
  ROOT t = (f32[256], f32[256]) tuple(r, p)
}`);
    const a = checked(m);
    // a dies at the reduce, before c is born: same bytes. c and d are live together, and p throughout.
    expect(offsetOf(a, m, 'c')).toBe(offsetOf(a, m, 'a'));
    expect(offsetOf(a, m, 'd')).not.toBe(offsetOf(a, m, 'c'));
    expect(offsetOf(a, m, 'p')).not.toBe(offsetOf(a, m, 'a'));
    const noReuse = assignBuffers(m, { reuse: false });
    expect(new Set(['p', 'a', 'c', 'd'].map((n) => offsetOf(noReuse, m, n))).size).toBe(4);
  });

  it('writes an elementwise chain in place, into the first buffer the chain made', () => {
    const m = hlo(`HloModule m
ENTRY e {
  p = f32[64] parameter(0)
  a = f32[64] exponential(p)
  b = f32[64] negate(a)
  c = f32[64] tanh(b)
  k = f32[64] log(c)
  d = f32[64] add(c, k)
  ROOT e = s32[64] convert(d)
}`);
    const a = checked(m);
    const buf = (n: string) => a.bufferOf(byName(m, n));
    expect(['a', 'b', 'c', 'k', 'd', 'e'].map((n) => buf(n).inPlaceOf?.instr.name)).toEqual([undefined, 'a', 'b', undefined, 'c', 'd']);
    expect(new Set(['a', 'b', 'c', 'd', 'e'].map((n) => buf(n).slice!.offset)).size).toBe(1);
    // c, k and d would all be live at d; in place, d takes c's bytes.
    expect(a.arenaBytes).toBe(2 * 256);
    expect(assignBuffers(m, { inPlace: false }).arenaBytes).toBe(3 * 256);
    expect(formatBufferReport(a).split('\n')).toEqual([
      'arena: 512 B, 64-byte aligned; without reuse 1.8 KiB (1792 B): 3.50x',
      'intermediates: peak 512 B of 1.3 KiB (1280 B) in all: 2.50x',
      'buffers: 7 (1 parameter, 0 constant, 1 output, 5 temp); 4 written in place',
    ]);
  });

  it('does not write in place over an operand read later, of another element size, or a parameter', () => {
    const m = hlo(`HloModule m
ENTRY e {
  p = f32[64] parameter(0)
  a = f32[64] exponential(p)
  b = f32[64] negate(a)
  c = f32[64] add(a, b)
  h = f16[64] convert(c)
  ROOT q = f32[64] negate(p)
}`);
    const a = checked(m);
    const from = (n: string) => a.bufferOf(byName(m, n)).inPlaceOf?.instr.name;
    expect(from('b')).toBeUndefined(); // a is read again by c
    expect(from('c')).toBe('a'); // both operands die at c; the first is taken
    expect(from('h')).toBeUndefined(); // f16 over f32: element i would land elsewhere
    expect(from('q')).toBeUndefined(); // p is an input
  });

  it('writes a kLoop fusion in place only over operands it reads at the output index', () => {
    const m = hlo(`HloModule m
ew {
  x = f32[4,4] parameter(0)
  y = f32[4] parameter(1)
  yb = f32[4,4] broadcast(y), dimensions={1}
  s = f32[4,4] add(x, yb)
  ROOT n = f32[4,4] negate(s)
}
tr {
  x = f32[4,4] parameter(0)
  t = f32[4,4] transpose(x), dimensions={1,0}
  ROOT n = f32[4,4] negate(t)
}
rev {
  x = f32[16] parameter(0)
  r = f32[16] reverse(x), dimensions={0}
  ROOT n = f32[16] add(r, x)
}
bc {
  x = f32[16] parameter(0)
  s = f32[4] slice(x), slice={[0:4]}
  b = f32[4,4] broadcast(s), dimensions={1}
  ROOT n = f32[4,4] negate(b)
}
two {
  x = f32[4,4] parameter(0)
  y = f32[4,4] parameter(1)
  t = f32[4,4] transpose(y), dimensions={1,0}
  ROOT n = f32[4,4] add(x, t)
}
ENTRY e {
  p = f32[4,4] parameter(0)
  q = f32[4] parameter(1)
  a = f32[4,4] exponential(p)
  f1 = f32[4,4] fusion(a, q), kind=kLoop, calls=ew
  b = f32[4,4] exponential(f1)
  f2 = f32[4,4] fusion(b), kind=kLoop, calls=tr
  c = f32[16] reshape(f2)
  d = f32[16] exponential(c)
  f3 = f32[16] fusion(d), kind=kLoop, calls=rev
  e = f32[16] exponential(f3)
  f4 = f32[4,4] fusion(e), kind=kLoop, calls=bc
  g = f32[4,4] exponential(f4)
  ROOT f5 = f32[4,4] fusion(g, g), kind=kLoop, calls=two
}`);
    const a = checked(m);
    const from = (n: string) => a.bufferOf(byName(m, n)).inPlaceOf?.instr.name;
    expect(from('f1')).toBe('a');
    expect(from('f2')).toBeUndefined(); // transposed read
    expect(from('f3')).toBeUndefined(); // reversed read
    expect(from('f4')).toBeUndefined(); // sliced and broadcast read
    expect(from('f5')).toBeUndefined(); // read at the output index as x, but also transposed as y
    expect(['b', 'd', 'e', 'g'].map(from)).toEqual(['f1', 'f2', 'f3', 'f4']); // elementwise ops, through a reshape too
  });

  it('keeps a parameter or constant the root returns as its own kind, live to the end', () => {
    const m = hlo(`HloModule m
ENTRY e {
  p = f32[8] parameter(0)
  k = f32[8] constant({1, 2, 3, 4, 5, 6, 7, 8})
  a = f32[8] add(p, k)
  ROOT t = (f32[8], f32[8], f32[8]) tuple(p, k, a)
}`);
    const a = checked(m);
    const t = byName(m, 't');
    expect([0, 1, 2].map((k) => a.bufferOf(t, [k]).kind)).toEqual(['parameter', 'constant', 'output']);
    expect(a.bufferOf(t, [0]).end).toBe(m.entry.instructions.length);
    expect(a.noReuseBytes).toBe(128);
  });

  it('aligns offsets and sizes to the alignment asked for', () => {
    const m = hlo(`HloModule m
ENTRY e {
  p = f32[3] parameter(0)
  a = pred[5] parameter(1)
  b = s4[7] parameter(2)
  ROOT t = (f32[3], pred[5], s4[7]) tuple(p, a, b)
}`);
    const a = assignBuffers(m, { alignment: 16 });
    expect(problems(m, a)).toEqual([]);
    expect(a.buffers.map((b) => b.bytes)).toEqual([12, 5, 7]);
    expect(a.buffers.every((b) => b.slice!.offset % 16 === 0)).toBe(true);
    expect(a.arenaBytes).toBe(48);
    expect(assignBuffers(m).arenaBytes).toBe(192);
  });

  it('gives the same offsets every time', () => {
    const text = readFileSync(join(ROOT, 'examples', 'lenet5.hlo'), 'utf8');
    const runs = [0, 1].map(() => layout(assignBuffers(runPasses(parseHlo(text)))));
    expect(runs[1]).toBe(runs[0]);
    const m = parseHlo(text);
    expect(layout(assignBuffers(m))).toBe(layout(assignBuffers(m)));
  });

  it('cuts LeNet-5 intermediates by 2x or more as written, and to the minimum once fused', () => {
    const m = hlo(readFileSync(join(ROOT, 'examples', 'lenet5.hlo'), 'utf8'));
    const asWritten = checked(m);
    const fused = checked(runPasses(m));
    const line = (what: string, a: BufferAssignment) =>
      `${what}: arena ${a.arenaBytes} B (no reuse ${a.noReuseBytes} B); intermediates peak ${a.peakIntermediateBytes} B of ${a.intermediateBytes} B` +
      ` (${(a.intermediateBytes / a.peakIntermediateBytes).toFixed(2)}x)`;
    console.log(`buffer assignment, LeNet-5:\n  ${line('as written', asWritten)}\n  ${line('default pipeline', fused)}`);
    expect(asWritten.intermediateBytes).toBeGreaterThanOrEqual(2 * asWritten.peakIntermediateBytes);
    // Fused, five temps remain and the first conv's output must meet its pool's: 1.5x is the best there is.
    expect(fused.peakIntermediateBytes).toBe(4 * (28 * 28 * 32 + 14 * 14 * 32));
    expect(fused.intermediateBytes).toBeGreaterThanOrEqual(1.5 * fused.peakIntermediateBytes);
  });

  it('assigns every golden case, as written and after the default pipeline, without overlap', () => {
    for (const c of loadCases()) {
      checked(c.module);
      checked(runPasses(c.module));
    }
  });

  it.skipIf(!haveCorpus)(`assigns ${CORPUS_MODULES} corpus modules, as written and after the default pipeline, without overlap`, () => {
    const files = haveCorpus ? hloFiles(HLO_CORPUS) : [];
    const failures: string[] = [];
    let ran = 0, inPlace = 0, arena = 0, noReuse = 0;
    // Every 13th file, so the sample spans the corpus rather than its first letters.
    for (let k = 3; k < files.length && ran < CORPUS_MODULES; k += 13) {
      let before: Module, after: Module;
      try {
        before = parseHlo(readFileSync(join(HLO_CORPUS, files[k]), 'utf8'), files[k]);
        verifyModule(before);
        after = runPasses(before);
      } catch {
        continue; // the parser and pass tests own what fails before this
      }
      if (after.entry.instructions.some((i) => leaves(i.shape).some((l) => l.dims.some((d) => d < 0)))) continue; // unbounded dims
      const bad: string[] = [];
      for (const m of [before, after]) {
        const a = assignBuffers(m);
        bad.push(...problems(m, a), ...problems(m, assignBuffers(m, { reuse: false })));
        if (layout(assignBuffers(m)) !== layout(a)) bad.push('not deterministic');
        if (m !== after) continue;
        inPlace += a.buffers.filter((b) => b.inPlaceOf).length;
        arena += a.arenaBytes;
        noReuse += a.noReuseBytes;
      }
      if (bad.length > 0) failures.push(`${files[k]}: ${bad.slice(0, 3).join('; ')}`);
      ran++;
    }
    console.log(`buffer assignment: ${ran} corpus modules after the default pipeline: arena ${arena} B in all against ${noReuse} B without reuse, ${inPlace} written in place`);
    expect(failures).toEqual([]);
    expect(ran).toBe(CORPUS_MODULES);
  });
});
