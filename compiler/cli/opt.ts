// `kiln opt`: parse (or import), verify, optionally run passes, print HLO text.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printModule } from '../../ir/print.js';
import type { Module } from '../../ir/module.js';
import { resolvePasses, runPasses, UnknownPassError } from '../../passes/pipeline.js';
import { UsageError } from '../errors.js';
import { one } from './flags.js';
import { loadWithOptions } from './model_inputs.js';
import type { Values } from './options.js';

export async function opt(pos: string[], v: Values): Promise<number> {
  const m = loadWithOptions(one(pos, 'module file'), v).module;
  const names = passNames(v.passes as string | undefined);
  const dir = v.dump as string | undefined;
  const width = Math.max(2, String(names.length).length);
  const dump = (k: number, what: string, x: Module) => {
    if (dir) writeFileSync(join(dir, `${String(k).padStart(width, '0')}-${what}.hlo`), printModule(x));
  };
  if (dir) mkdirSync(dir, { recursive: true });
  dump(0, 'input', m);
  let k = 0;
  process.stdout.write(printModule(runPasses(m, names, (name, x) => dump(++k, name, x))));
  return 0;
}

function passNames(spec: string | undefined): string[] {
  if (spec === undefined) return [];
  try {
    return resolvePasses(spec);
  } catch (e) {
    if (e instanceof UnknownPassError) throw new UsageError(`--passes: ${e.message}`);
    throw e;
  }
}
