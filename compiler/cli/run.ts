// `kiln run` and `kiln compare`: run a model on a backend, print or write its outputs, or
// compare them with the interpreter's.
import { elementCount, shapeToString } from '../../ir/shape.js';
import { literalToString } from '../../ir/print_literal.js';
import type { Literal } from '../../ir/literal.js';
import { findBackend, interpreterBackend } from '../backend.js';
import { compareLiterals, leavesOf } from '../compare.js';
import { UsageError } from '../errors.js';
import { ensureAvailable, one } from './flags.js';
import { writeOutputs } from './inputs.js';
import { modelWithInputs } from './model_inputs.js';
import type { Values } from './options.js';

const noteFor = (command: string) => (line: string) => console.error(`kiln ${command}: note: ${line}`);

export async function run(pos: string[], v: Values): Promise<number> {
  const backend = findBackend((v.backend as string) ?? 'interpreter');
  const { module: m, outputNames, args } = modelWithInputs(one(pos, 'model file'), v, noteFor('run'));
  await ensureAvailable(backend.name);
  const result = await (await backend.prepare(m)).run(args);
  if (v['output-dir']) {
    for (const f of writeOutputs(v['output-dir'] as string, result, outputNames)) console.log(f);
  } else printResult(result, outputNames);
  return 0;
}

export async function compare(pos: string[], v: Values): Promise<number> {
  if (!v.backend) throw new UsageError('compare needs --backend');
  const backend = findBackend(v.backend as string);
  const { module: m, args } = modelWithInputs(one(pos, 'model file'), v, noteFor('compare'));
  await ensureAvailable(backend.name);
  const expected = await (await interpreterBackend.prepare(m)).run(args);
  const actual = await (await backend.prepare(m)).run(args);
  const diffs = compareLiterals(actual, expected);
  for (const d of diffs) {
    const what = d.mismatch ?? `max abs ${d.maxAbs.toExponential(3)}  max rel ${d.maxRel.toExponential(3)}  ${d.bad} out of tolerance`;
    console.log(`output ${d.index || '0'} ${d.shape}: ${what}  ${d.ok ? 'ok' : 'FAIL'}`);
  }
  return diffs.every((d) => d.ok) ? 0 : 1;
}

/** Print each output leaf as `index: shape literal` (`name: ...` where the model names them); big arrays as a summary. */
function printResult(result: Literal, names?: readonly string[]): void {
  const leaves = leavesOf(result);
  leaves.forEach(({ index, value }, k) => {
    const label = names?.length === leaves.length ? names[k] : index || '0';
    const head = `${label}: ${shapeToString(value.shape, { layout: false })}`;
    if (elementCount(value.shape) <= 1000) console.log(`${head} ${literalToString(value)}`);
    else {
      let min = Infinity, max = -Infinity, sum = 0;
      for (const x of value.data) { const n = Number(x); min = Math.min(min, n); max = Math.max(max, n); sum += n; }
      console.log(`${head} (${elementCount(value.shape)} elements: min ${min} max ${max} mean ${sum / value.data.length}; use --output-dir for all)`);
    }
  });
}
