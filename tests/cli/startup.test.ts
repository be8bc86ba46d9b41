// What `kiln` loads before it does anything: the built entry (dist/kiln.js) and the
// modules it imports statically must not include binaryen, ts-morph or TypeScript (tens
// of MB of JavaScript); those come in through import() when a command compiles to wasm.
// And dist/ is what runs: rebuilt by bin/kiln.mjs when a source is newer than it.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
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

  it('rebuilds dist/ when a source it lists is newer, and only then', () => {
    expect(kiln(['--help']).status).toBe(0);
    const entry = join(DIST, 'kiln.js');
    const inputs = JSON.parse(readFileSync(join(DIST, 'inputs.json'), 'utf8')) as string[];
    expect(inputs).toContain('compiler/cli/help.ts');
    const built = statSync(entry).mtime;
    expect(kiln(['--help']).status).toBe(0);
    expect(statSync(entry).mtime).toEqual(built);
    // Newer than the build but already past, so nothing is left for later runs to rebuild.
    const source = join(ROOT, 'compiler', 'cli', 'help.ts');
    const newer = new Date(built.getTime() + 1);
    utimesSync(source, newer, newer);
    expect(kiln(['--help']).status).toBe(0);
    expect(statSync(entry).mtime.getTime()).toBeGreaterThan(built.getTime());
  });

  it('rebuilds dist/runtime/, which artifacts ship, when a runtime source is newer, and only then', () => {
    expect(kiln(['--help']).status).toBe(0);
    const inputs = JSON.parse(readFileSync(join(DIST, 'inputs.json'), 'utf8')) as string[];
    // Modules the CLI never imports count too, and folders (a module added or removed).
    expect(inputs).toEqual(expect.arrayContaining(['runtime/webgpu/manifest.ts', 'runtime/core/manifest.ts', 'runtime/core', 'bin/runtime.mjs']));
    const list = join(DIST, 'runtime', 'files.json');
    expect(JSON.parse(readFileSync(list, 'utf8')).files).toEqual(expect.arrayContaining(['core/dtype.js', 'core/dtype.d.ts', 'wasm/index.js']));
    // The build itself, run directly: a kiln started here could find the entry already
    // rebuilt by one of the other tests' kiln processes, and rebuild nothing.
    const rebuild = () => expect(spawnSync(process.execPath, ['-e', "import('./bin/build.mjs').then((b) => b.buildCli())"], { cwd: ROOT }).status).toBe(0);
    const built = statSync(list).mtime;
    rebuild();
    expect(statSync(list).mtime).toEqual(built); // the CLI rebuilt, the runtime did not need to
    const source = join(ROOT, 'runtime', 'core', 'dtype.ts');
    const newer = new Date(built.getTime() + 1);
    utimesSync(source, newer, newer);
    rebuild();
    expect(statSync(list).mtime.getTime()).toBeGreaterThan(built.getTime());
  });
});
