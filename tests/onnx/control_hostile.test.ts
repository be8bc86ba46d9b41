// Byte-level mutations of models with If, Loop and Scan: importing each must give a
// model or an OnnxError naming what is wrong, never another exception or a long stall.
// (hostile.test.ts does the same for models without subgraphs.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OnnxError } from '../../compiler/frontends/onnx/errors.js';
import { importOnnx } from '../../compiler/frontends/onnx/import.js';
import { ONNX_TESTDATA } from '../../compiler/onnx_backend_tests.js';
import { rng } from '../../compiler/random.js';
import { BOOL, FLOAT, INT64, constant, graph, model, node, vi } from './build.js';

/** A Loop (static M, a scan output) whose body holds an If that reads the outer x. */
const loopWithIf = model(graph('g', [
  constant('M', [3], [], true),
  node('Loop', ['M', '', 'y'], ['y_final', 'ys'], {
    body: graph('body', [
      node('Identity', ['cond_in'], ['cond_out']),
      node('If', ['c'], ['y_out'], {
        then_branch: graph('t', [node('Add', ['y_in', 'x'], ['a'])], [], [vi('a')]),
        else_branch: graph('e', [node('Sub', ['y_in', 'x'], ['b'])], [], [vi('b')]),
      }),
      node('Identity', ['y_out'], ['scan_out']),
    ], [vi('i', INT64, []), vi('cond_in', BOOL, []), vi('y_in')], [vi('cond_out'), vi('y_out'), vi('scan_out')]),
  }),
], [vi('c', BOOL, []), vi('x', FLOAT, [2]), vi('y', FLOAT, [2])], [vi('y_final'), vi('ys')]));

function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  if (next() < 0.25) return out.subarray(0, Math.floor(next() * out.length));
  const edits = 1 + Math.floor(next() * 4);
  for (let k = 0; k < edits; k++) out[Math.floor(next() * out.length)] = [0x00, 0x01, 0x7f, 0x80, 0xff, Math.floor(next() * 256)][Math.floor(next() * 6)];
  return out;
}

describe('mutations of control-flow models', () => {
  const files = ['node/test_if', 'node/test_loop11', 'node/test_scan9_sum', 'node/test_range_float_type_positive_delta_expanded']
    .map((c) => join(ONNX_TESTDATA, c, 'model.onnx'))
    .flatMap((p) => { try { return [new Uint8Array(readFileSync(p))]; } catch { return []; } });
  const originals = [loopWithIf, ...files];

  for (let part = 0; part < 2; part++)
    it(`part ${part + 1} of 2: 1000 mutants import or are refused with an OnnxError`, () => {
      const next = rng(7000 + part);
      const problems: string[] = [];
      let imported = 0;
      for (let i = 0; i < 1000; i++) {
        const t0 = performance.now();
        try {
          importOnnx(mutate(originals[i % originals.length], next), 'mutant.onnx');
          imported++;
        } catch (e) {
          if (!(e instanceof OnnxError)) problems.push(`case ${i}: ${(e as Error).name}: ${(e as Error).message}`);
        }
        const ms = performance.now() - t0;
        if (ms > 1000) problems.push(`case ${i}: took ${ms.toFixed(0)} ms`);
      }
      expect(problems.slice(0, 10)).toEqual([]);
      expect(imported).toBeGreaterThan(0); // some mutants still import: the new code paths run
    });
});
