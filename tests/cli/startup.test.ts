// What `kiln` loads before it does anything: the built entry (dist/kiln.js) and the
// modules it imports statically must not include binaryen, ts-morph or TypeScript (tens
// of MB of JavaScript); those come in through import() when a command compiles to wasm.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kiln, ROOT } from './kiln.js';

const DIST = join(ROOT, 'dist');
const HEAVY = /^(binaryen|ts-morph|typescript)$/;

/** Every module `file` (in dist/) imports statically, transitively: dist files and packages. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  if (!file.startsWith('./')) return seen; // a package: its own imports are its business
  const text = readFileSync(join(DIST, file), 'utf8');
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)";|^import\s*"([^"]+)";/gms)) staticImports(m[1] ?? m[2], seen);
  return seen;
}

describe('kiln start-up', () => {
  it('starts without loading binaryen, ts-morph or TypeScript; compiling loads them', () => {
    expect(kiln(['--help']).status).toBe(0); // builds dist/ if the sources changed
    const eager = [...staticImports('./kiln.js')];
    expect(eager.filter((m) => HEAVY.test(m))).toEqual([]);
    const wasmChunk = readdirSync(DIST).find((f) => f.startsWith('wasm_backend-'));
    expect(wasmChunk).toBeDefined();
    expect([...staticImports(`./${wasmChunk}`)]).toContain('binaryen');
  });
});
