import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../compiler/cli/main.js';
import { DEFAULT_PIPELINE, PASSES, pipelineFor, resolvePasses } from '../../passes/pipeline.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { WASM_TARGET } from '../../targets/wasm/target.js';

const TEXT = `HloModule m

ENTRY %e (p: f32[2]) -> f32[2] {
  %p = f32[2]{0} parameter(0)
  %z = f32[] constant(0)
  %b = f32[2]{0} broadcast(f32[] %z), dimensions={}
  %dead = f32[2]{0} negate(f32[2]{0} %p)
  ROOT %r = f32[2]{0} add(f32[2]{0} %p, f32[2]{0} %b)
}
`;

async function kiln(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(console, 'error').mockImplementation((s) => void (err += String(s)));
  try {
    return { code: await main(args), out, err };
  } finally {
    w.mockRestore();
    e.mockRestore();
  }
}

describe('pipeline', () => {
  it('names the passes and expands default', () => {
    expect(Object.keys(PASSES).sort()).toEqual(['call-inline', 'conditional-simplify', 'constant-fold', 'conv-layout', 'conv-padding', 'cse', 'dce', 'fusion', 'fusion-no-rows', 'narrow-int64', 'simplify', 'transposed-conv', 'while-simplify']);
    expect(resolvePasses('default')).toEqual([...DEFAULT_PIPELINE]);
    expect(resolvePasses('dce,default')).toEqual(['dce', ...DEFAULT_PIPELINE]);
    expect(() => resolvePasses('dce,fuse')).toThrow(/unknown pass 'fuse'; known: call-inline, simplify, constant-fold, cse, dce, fusion, fusion-no-rows, transposed-conv, conv-padding, conv-layout, conditional-simplify, while-simplify, narrow-int64, default/);
  });

  it("is a function of the target's description: wasm's is the default pipeline; the convolution passes are its choices", () => {
    expect(pipelineFor(WASM_TARGET)).toEqual([...DEFAULT_PIPELINE]);
    expect(pipelineFor({ ...WASM_TARGET, hlo: { explicitConvPadding: false, convKernelLayout: 'hwio', rowFusion: true } })).not.toContain('conv-padding');
    expect(pipelineFor({ ...WASM_TARGET, hlo: { explicitConvPadding: false, convKernelLayout: 'as-given', rowFusion: true } }))
      .toEqual(DEFAULT_PIPELINE.filter((p) => p !== 'conv-padding' && p !== 'conv-layout'));
  });

  it('narrows 64-bit integers, before fusion, for a target without them (WGSL)', () => {
    const wgsl = pipelineFor(WGSL_TARGET);
    // WGSL forms row fusions too (its GPU row kernel: passes/lower/gpu_row.ts).
    expect(wgsl).not.toContain('fusion-no-rows');
    expect(wgsl.indexOf('narrow-int64')).toBe(wgsl.indexOf('fusion') - 1);
    expect(wgsl).not.toContain('conv-padding');
    expect(pipelineFor(WASM_TARGET)).not.toContain('narrow-int64');
    // A target without a row kernel that gains from row groups fuses without them.
    const noRows = pipelineFor({ ...WGSL_TARGET, hlo: { ...WGSL_TARGET.hlo, rowFusion: false } });
    expect(noRows.indexOf('narrow-int64')).toBe(noRows.indexOf('fusion-no-rows') - 1);
    expect(noRows).not.toContain('fusion');
  });

  it('kiln opt prints unchanged without --passes, optimised with them, and dumps every step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-opt-'));
    const file = join(dir, 'm.hlo');
    writeFileSync(file, TEXT);
    expect((await kiln('opt', file)).out).toBe(TEXT);
    const dump = join(dir, 'dump');
    const r = await kiln('opt', file, '--passes', 'default', '--dump', dump);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ROOT %p = f32[2]{0} parameter(0)');
    expect(readdirSync(dump).sort()).toEqual([
      '00-input.hlo', '01-call-inline.hlo', '02-simplify.hlo', '03-constant-fold.hlo', '04-conditional-simplify.hlo', '05-while-simplify.hlo',
      '06-cse.hlo', '07-dce.hlo', '08-transposed-conv.hlo', '09-conv-padding.hlo', '10-conv-layout.hlo', '11-fusion.hlo',
    ]);
    expect(readFileSync(join(dump, '00-input.hlo'), 'utf8')).toBe(TEXT);
    expect(readFileSync(join(dump, '11-fusion.hlo'), 'utf8')).toBe(r.out);
  });

  it('kiln opt --passes with an unknown name is a usage error listing the known ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-opt-'));
    const file = join(dir, 'm.hlo');
    writeFileSync(file, TEXT);
    const r = await kiln('opt', file, '--passes', 'simplify,nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown pass 'nope'; known: call-inline, simplify, constant-fold, cse, dce, fusion, fusion-no-rows, transposed-conv, conv-padding, conv-layout, conditional-simplify, while-simplify, narrow-int64, default/);
  });
});
