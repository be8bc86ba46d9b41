// gpu_properties.ts's suite on the kernel IR executor: each case compiled for WGSL_TARGET,
// its kernels the schedule's and every grid within the target's limits, then run with
// workgroups and invocations shuffled (a seed per case), races and barrier mismatches
// reported, and compared with the HLO interpreter.
import { describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { inputBytes, readOutput, resultLiteral } from '../../compiler/program_io.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import { allocateMemory, runProgram } from '../../ir/kernel/interpret.js';
import { printKernel } from '../../ir/kernel/print.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { kernelKinds, PROPERTIES, TOLERANCE, type PropertyCase } from './gpu_properties.js';

function check(c: PropertyCase): void {
  const { program } = compileProgram(c.module, { target: WGSL_TARGET });
  expect(kernelKinds(program), program.kernels.map(printKernel).join('\n')).toEqual(c.kinds);
  for (const k of program.kernels) {
    const [x, y, z] = k.grid!.size;
    expect(x * y * z).toBeLessThanOrEqual(WGSL_TARGET.limits.maxWorkgroupInvocations);
    const shared = k.body.filter((s) => s.k === 'array' && s.scope === 'workgroup').reduce((a, s) => a + 4 * (s as { size: number }).size, 0);
    expect(shared).toBeLessThanOrEqual(WGSL_TARGET.limits.workgroupMemoryBytes);
  }
  const args = randomInputs(c.module.entry.params.map((p) => p.shape), c.seed);
  const mem = allocateMemory(program);
  for (const { offset, bytes } of inputBytes(program, args)) mem.arena.set(bytes, offset);
  runProgram(program, mem, { seed: c.seed });
  const got = resultLiteral(c.module.entry.root.shape, program.outputs.map((_, i) => readOutput(program, i, mem.arena)));
  expect(compareLiterals(got, interpret(c.module, args), TOLERANCE).filter((d) => !d.ok)).toEqual([]);
}

describe.each(PROPERTIES.map((p) => [p.schedule, p] as const))('GPU schedule %s on the kernel executor', (_, p) => {
  it.each(p.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => check(c));

  it(`draws mostly cases a ${p.kind} kernel computes`, () => {
    expect(p.cases.filter((c) => c.kinds.includes(p.kind)).length).toBeGreaterThanOrEqual(p.cases.length / 2);
  });
});
