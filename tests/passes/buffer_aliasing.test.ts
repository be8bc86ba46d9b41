// Input/output aliasing (donated inputs): buffer assignment puts an aliased output in its
// parameter's bytes, written there when the in-place rule allows and copied there at the end
// otherwise. Each case runs as written and through the default pipeline on the kernel IR's
// executor, state carried from run to run as a train loop would, against the interpreter.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { InputError } from '../../compiler/errors.js';
import { inputBytes, readOutput } from '../../compiler/program_io.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import { allocateMemory, runProgram } from '../../ir/kernel/interpret.js';
import type { Program } from '../../ir/kernel/kernel.js';
import type { ArrayLiteral, Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { leaves } from '../../ir/shape.js';
import { type BufferAlias, assignBuffers } from '../../passes/buffer_assignment.js';
import { bitDifference, hlo } from './helpers.js';

const flat = (l: Literal): ArrayLiteral[] => ('data' in l ? [l] : l.elements.flatMap(flat));
const offset = (p: Program, io: { buffer: number }): number => p.buffers[io.buffer].offset;

/**
 * Runs `steps` times on one memory: the first run copies every input in; later runs write
 * only the inputs no output aliases (the others already hold the last run's outputs).
 * Returns each run's outputs, read from the program's output buffers.
 */
function runSteps(program: Program, args: Literal[], steps: number): ArrayLiteral[][] {
  const mem = allocateMemory(program);
  const aliased = new Set(program.outputs.flatMap((o) => (o.aliases === undefined ? [] : [o.aliases])));
  const out: ArrayLiteral[][] = [];
  for (let s = 0; s < steps; s++) {
    inputBytes(program, args).forEach(({ offset, bytes }, i) => {
      if (s === 0 || !aliased.has(program.inputs[i].name)) mem.arena.set(bytes, offset);
    });
    runProgram(program, mem);
    out.push(program.outputs.map((_, i) => readOutput(program, i, mem.arena)));
  }
  return out;
}

/** The interpreter's `steps` runs, feeding output j back into parameter p for each alias. */
function interpretSteps(m: Module, args: Literal[], aliases: readonly BufferAlias[], steps: number): ArrayLiteral[][] {
  const out: ArrayLiteral[][] = [];
  let now = [...args];
  for (let s = 0; s < steps; s++) {
    const r = flat(interpret(m, now));
    out.push(r);
    now = [...now];
    for (const a of aliases) now[a.param] = r[a.output];
  }
  return out;
}

interface Case {
  text: string;
  aliases: BufferAlias[];
  /** How each alias is met in the module as written. */
  how: ('same' | 'written' | 'copy')[];
  /** Copy kernels unfused: alias copies, copies aside, and outputs that are a parameter or constant. */
  copies: number;
}

const SGD = `HloModule sgd
ENTRY step {
  w = f32[64,16] parameter(0)
  g = f32[64,16] parameter(1)
  lr = f32[] constant(0.125)
  b = f32[64,16] broadcast(lr), dimensions={}
  d = f32[64,16] multiply(b, g)
  ROOT n = f32[64,16] subtract(w, d)
}`;

const CASES: Record<string, Case> = {
  'output = param - lr*grad, in place': { text: SGD, aliases: [{ output: 0, param: 0 }], how: ['written'], copies: 0 },
  'two params and momentum, in place': {
    text: `HloModule momentum
ENTRY step {
  w = f32[32,8] parameter(0)
  v = f32[32,8] parameter(1)
  g = f32[32,8] parameter(2)
  mu = f32[] constant(0.9)
  lr = f32[] constant(0.05)
  bm = f32[32,8] broadcast(mu), dimensions={}
  bl = f32[32,8] broadcast(lr), dimensions={}
  mv = f32[32,8] multiply(bm, v)
  nv = f32[32,8] add(mv, g)
  s = f32[32,8] multiply(bl, nv)
  nw = f32[32,8] subtract(w, s)
  loss = f32[] constant(0)
  ROOT t = (f32[32,8], f32[32,8], f32[]) tuple(nw, nv, loss)
}`,
    aliases: [{ output: 0, param: 0 }, { output: 1, param: 1 }],
    // v is dead once mv is made, so nv is computed in v's bytes, and stays there while s reads it.
    how: ['written', 'written'],
    copies: 1, // the constant loss, copied out
  },
  'a transpose of the param (copied)': {
    text: `HloModule tr
ENTRY e {
  p = f32[16,16] parameter(0)
  ROOT t = f32[16,16] transpose(p), dimensions={1,0}
}`,
    aliases: [{ output: 0, param: 0 }], how: ['copy'], copies: 1,
  },
  'a reverse of the param (copied)': {
    text: `HloModule rev
ENTRY e {
  p = f32[40] parameter(0)
  ROOT r = f32[40] reverse(p), dimensions={0}
}`,
    aliases: [{ output: 0, param: 0 }], how: ['copy'], copies: 1,
  },
  'a reverse of the param plus one (written: the param is dead by then)': {
    text: `HloModule rev
ENTRY e {
  p = f32[40] parameter(0)
  one = f32[] constant(1)
  b = f32[40] broadcast(one), dimensions={}
  r = f32[40] reverse(p), dimensions={0}
  ROOT a = f32[40] add(r, b)
}`,
    // As written the reverse is a temp and p is dead when a runs: a is written into p's bytes.
    aliases: [{ output: 0, param: 0 }], how: ['written'], copies: 0,
  },
  'the param read after the output is computed (copied)': {
    text: `HloModule later
ENTRY e {
  p = f32[24] parameter(0)
  g = f32[24] parameter(1)
  n = f32[24] subtract(p, g)
  s = f32[24] multiply(p, n)
  ROOT t = (f32[24], f32[24]) tuple(n, s)
}`,
    aliases: [{ output: 0, param: 0 }], how: ['copy'], copies: 1,
  },
  'an output that is the param unchanged': {
    text: `HloModule same
ENTRY e {
  p = f32[24] parameter(0)
  g = f32[24] parameter(1)
  n = f32[24] add(p, g)
  ROOT t = (f32[24], f32[24]) tuple(p, n)
}`,
    aliases: [{ output: 0, param: 0 }, { output: 1, param: 1 }], how: ['same', 'written'], copies: 0,
  },
  'two params swapped (copied through temps)': {
    text: `HloModule swap
ENTRY e {
  p0 = s32[2,3] parameter(0)
  p1 = s32[2,3] parameter(1)
  ROOT t = (s32[2,3], s32[2,3]) tuple(p1, p0)
}`,
    aliases: [{ output: 0, param: 0 }, { output: 1, param: 1 }], how: ['copy', 'copy'], copies: 4,
  },
  'a non-aliased output that is the aliased param': {
    text: `HloModule keep
ENTRY e {
  p = f32[24] parameter(0)
  g = f32[24] parameter(1)
  n = f32[24] subtract(p, g)
  ROOT t = (f32[24], f32[24]) tuple(n, p)
}`,
    aliases: [{ output: 0, param: 0 }], how: ['copy'], copies: 2, // n over p, after p is copied out
  },
};

describe('input/output aliasing', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, () => {
      const m = hlo(c.text);
      const a = assignBuffers(m, { aliases: c.aliases });
      expect(a.aliases.map((x) => x.how)).toEqual(c.how);
      for (const x of a.aliases) {
        expect(x.buffer.end).toBe(m.entry.instructions.length);
        if (x.how !== 'copy') expect(x.value.slice!.offset).toBe(x.buffer.slice!.offset);
      }
      // Swapped parameters go through temps: each is copied aside before either is overwritten.
      expect(a.aliases.map((x) => x.staged)).toEqual(a.aliases.map((x) => x.how === 'copy' && x.value.kind === 'parameter' && c.aliases.some((y) => y.param === m.entry.params.indexOf(x.value.instr))));
      const copies = compileProgram(m, { aliases: c.aliases, fusion: false }).program.kernels.filter((k) => k.name.endsWith('_copy')).length;
      expect(copies).toBe(c.copies);
      const args = randomInputs(m.entry.params.map((p) => p.shape), 7);
      const want = interpretSteps(m, args, c.aliases, 3);
      for (const fusion of [false, true]) {
        const { program } = compileProgram(m, { aliases: c.aliases, fusion });
        for (const { output, param } of c.aliases) {
          expect(program.outputs[output].aliases).toBe(program.inputs[param].name);
          expect(offset(program, program.outputs[output])).toBe(offset(program, program.inputs[param]));
        }
        const got = runSteps(program, args, 3);
        got.forEach((step, s) => step.forEach((l, j) => expect(bitDifference(l, want[s][j]), `fusion ${fusion}, step ${s}, output ${j}`).toBeUndefined()));
        // Without aliases: the same results from one run, and the same program as before this option.
        const plain = compileProgram(m, { fusion }).program;
        expect(plain.outputs.every((o) => o.aliases === undefined)).toBe(true);
        runSteps(plain, args, 1)[0].forEach((l, j) => expect(bitDifference(l, want[0][j])).toBeUndefined());
      }
    });
  }

  it('computes param - lr*grad in its parameter, with no copy and no more arena', () => {
    const m = hlo(SGD);
    const alias = [{ output: 0, param: 0 }];
    // As written, n takes w's bytes instead of the dying temp d's: the same arena (w, g, one temp).
    expect([assignBuffers(m, { aliases: alias }).arenaBytes, assignBuffers(m).arenaBytes]).toEqual([3 * 4096, 3 * 4096]);
    for (const fusion of [false, true]) {
      const aliased = compileProgram(m, { aliases: alias, fusion }).program;
      const plain = compileProgram(m, { fusion }).program;
      expect(aliased.arenaBytes).toBeLessThanOrEqual(plain.arenaBytes);
      expect(aliased.kernels.length).toBe(plain.kernels.length); // no copy kernel
      expect(aliased.kernels.some((k) => k.name.includes('copy'))).toBe(false);
    }
    // Fused (one loop fusion reading w and g): w, g and the result without aliasing; w and g with it.
    expect([compileProgram(m, { aliases: alias }).program.arenaBytes, compileProgram(m).program.arenaBytes]).toEqual([2 * 4096, 3 * 4096]);
  });

  it('refuses aliases that name nothing, repeat, or pair different shapes, as bad input', () => {
    const m = hlo(`HloModule m
ENTRY e {
  p = f32[4] parameter(0)
  q = f32[5] parameter(1)
  n = f32[4] negate(p)
  ROOT t = (f32[4], f32[5]) tuple(n, q)
}`);
    const bad = (aliases: unknown, msg: RegExp) => expect(() => compileProgram(m, { aliases: aliases as BufferAlias[] })).toThrow(expect.objectContaining({ name: 'InputError', message: expect.stringMatching(msg) }));
    bad([{ output: 2, param: 0 }], /has 2 outputs \(n, q\)/);
    bad([{ output: 0, param: 3 }], /has 2 parameters \(p, q\)/);
    bad([{ output: 0, param: 1 }], /output 0 \(n\) is f32\[4\], parameter 1 \(q\) is f32\[5\]/);
    bad([{ output: 0, param: 0 }, { output: 0, param: 1 }], /output 0 \(n\) is aliased twice/);
    bad([{ output: 0, param: 0 }, { output: 1, param: 0 }], /parameter 0 \(p\) is aliased twice/);
    bad([{ output: 0.5, param: 0 }], /integer/);
    expect(() => compileProgram(m, { aliases: [{ output: 9, param: 0 }] })).toThrow(InputError);
    expect(leaves(m.entry.root.shape)).toHaveLength(2);
  });
});
