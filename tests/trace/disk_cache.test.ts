// jit's on-disk cache (compiler/frontends/trace/disk_cache.ts): a module compiled in one
// process is loaded by the next from the cache folder, without binaryen or the compile
// driver; damaged entries, other modules and other options miss; results agree.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheKey, kilnVersion, type KeyParts } from '../../compiler/frontends/trace/disk_cache.js';
import { ROOT } from '../cli/kiln.js';

const tmp = mkdtempSync(join(tmpdir(), 'kiln-disk-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Every URL a child resolves, so a test can say what it never loaded.
writeFileSync(join(tmp, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.KILN_TEST_RESOLVED) appendFileSync(process.env.KILN_TEST_RESOLVED, r.url + '\\n');
  return r;
}\n`);
writeFileSync(join(tmp, 'record.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");

interface Child {
  values: number[];
  /** From the process's start to the first result. */
  sinceStartMs: number;
  /** From the child script's start (kiln imported) to the first result. */
  callMs: number;
  resolved: string[];
}

let runs = 0;
/** Runs tests/trace/disk_cache_child.ts `variant` with `env` added. */
async function child(variant: string, env: Record<string, string> = {}, args: string[] = []): Promise<Child> {
  const log = join(tmp, `resolved-${runs++}.log`);
  writeFileSync(log, '');
  const { stdout } = await promisify(execFile)(process.execPath,
    ['--import', './bin/register.mjs', '--import', join(tmp, 'record.mjs'), 'tests/trace/disk_cache_child.ts', variant, ...args],
    { cwd: ROOT, env: { ...process.env, KILN_CACHE_DIR: '', ...env, KILN_TEST_RESOLVED: log }, timeout: 100_000 });
  return { ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<Child, 'resolved'>), resolved: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

const loadedBinaryen = (c: Child) => c.resolved.some((u) => /\/node_modules\/binaryen\//.test(u));
/** The compile driver and the wasm target: what a hit must not load. */
const loadedCompiler = (c: Child) => c.resolved.some((u) => /\/(compiler\/compile|targets\/wasm\/index|passes\/pipeline)\.ts$/.test(u));
const entries = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.kwasm')).sort();
const report = (what: string, c: Child) =>
  console.log(`${what}: first result ${c.callMs.toFixed(0)} ms after the script started (${c.sinceStartMs.toFixed(0)} ms after the process did); binaryen ${loadedBinaryen(c) ? 'loaded' : 'not loaded'}`);

describe("jit's on-disk cache", () => {
  it('compiles in one process; the next loads the module from disk without binaryen or the compiler, with equal results', async () => {
    const dir = join(tmp, 'a');
    const cold = await child('mlp', { KILN_CACHE_DIR: dir });
    report('cold (compiled, written)', cold);
    expect(loadedBinaryen(cold)).toBe(true);
    expect(entries(dir)).toHaveLength(1);
    const warm = await child('mlp', { KILN_CACHE_DIR: dir });
    report('from disk', warm);
    expect(loadedBinaryen(warm)).toBe(false);
    expect(loadedCompiler(warm)).toBe(false);
    expect(warm.values).toEqual(cold.values);
    expect(entries(dir)).toHaveLength(1);
    // setCacheDir over the environment: null turns it off, a folder turns it on.
    const off = await child('mlp', { KILN_CACHE_DIR: dir }, ['off']);
    expect(loadedBinaryen(off)).toBe(true);
    expect(off.values).toEqual(cold.values);
    expect(loadedBinaryen(await child('mlp', {}, [dir]))).toBe(false);
  });

  it('treats a truncated or damaged entry as a miss: recompiles and writes it again', async () => {
    const dir = join(tmp, 'b');
    const first = await child('mlp', { KILN_CACHE_DIR: dir });
    const [name] = entries(dir);
    const file = join(dir, name);
    const good = readFileSync(file);
    writeFileSync(file, good.subarray(0, good.byteLength - 100));
    const truncated = await child('mlp', { KILN_CACHE_DIR: dir });
    expect(loadedBinaryen(truncated)).toBe(true);
    expect(truncated.values).toEqual(first.values);
    expect(readFileSync(file).equals(good)).toBe(true);
    const damaged = Buffer.from(good);
    damaged[damaged.byteLength - 20] ^= 0xff;
    writeFileSync(file, damaged);
    const flipped = await child('mlp', { KILN_CACHE_DIR: dir });
    expect(loadedBinaryen(flipped)).toBe(true);
    expect(flipped.values).toEqual(first.values);
    expect(readFileSync(file).equals(good)).toBe(true);
    writeFileSync(file, 'not an entry');
    expect((await child('mlp', { KILN_CACHE_DIR: dir })).values).toEqual(first.values);
    expect(readFileSync(file).equals(good)).toBe(true);
  });

  it('misses for another module and for other options (threads: a shared-memory build)', async () => {
    const dir = join(tmp, 'c');
    const mlp = await child('mlp', { KILN_CACHE_DIR: dir });
    const other = await child('other', { KILN_CACHE_DIR: dir });
    expect(loadedBinaryen(other)).toBe(true);
    expect(other.values).not.toEqual(mlp.values);
    const threaded = await child('threads2', { KILN_CACHE_DIR: dir });
    expect(loadedBinaryen(threaded)).toBe(true);
    expect(threaded.values).toEqual(mlp.values);
    expect(entries(dir)).toHaveLength(3);
    const again = await child('threads2', { KILN_CACHE_DIR: dir });
    expect(loadedBinaryen(again)).toBe(false);
    expect(again.values).toEqual(mlp.values);
  });

  it('lets processes compile the same module at once: one whole entry, which the next process loads', async () => {
    const dir = join(tmp, 'd');
    const both = await Promise.all([child('mlp', { KILN_CACHE_DIR: dir }), child('mlp', { KILN_CACHE_DIR: dir })]);
    expect(both[1].values).toEqual(both[0].values);
    expect(readdirSync(dir)).toEqual(entries(dir));
    expect(entries(dir)).toHaveLength(1);
    expect(statSync(join(dir, entries(dir)[0])).size).toBeGreaterThan(0);
    const next = await child('mlp', { KILN_CACHE_DIR: dir });
    expect(loadedBinaryen(next)).toBe(false);
    expect(next.values).toEqual(both[0].values);
  });

  it("keys on kiln's version and each option, so an entry from another version never matches", async () => {
    const version = await kilnVersion();
    expect(version).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    const parts: KeyParts = { version: version!, shared: false, relaxedSimd: true, fusion: true, aliases: [] };
    const key = await cacheKey('HloModule m', parts);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await cacheKey('HloModule m', { ...parts })).toBe(key);
    const others = [
      cacheKey('HloModule n', parts), cacheKey('HloModule m', { ...parts, version: '0.0.0-other' }), cacheKey('HloModule m', { ...parts, shared: true }),
      cacheKey('HloModule m', { ...parts, relaxedSimd: false }), cacheKey('HloModule m', { ...parts, fusion: false }),
      cacheKey('HloModule m', { ...parts, aliases: [{ output: 0, param: 0 }] }),
    ];
    expect(new Set([key, ...(await Promise.all(others))]).size).toBe(7);
  });
});
