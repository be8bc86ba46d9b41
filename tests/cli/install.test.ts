// What `npm ci` needs of the lockfile, checked without a network: that it agrees with
// package.json, lists every platform's optional packages (npm ci refuses a lockfile without
// them: npm/cli#4828), and that every locked package runs on the oldest Node that
// package.json's engines admit (CI runs Node 20: no EBADENGINE warning there).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './kiln.js';

interface Locked {
  version?: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Locked;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Locked> };

type Version = [number, number, number];
const parse = (v: string): Version => {
  const [a = 0, b = 0, c = 0] = v.replace(/^v/, '').split('.').map(Number);
  return [a, b, c];
};
const cmp = (x: Version, y: Version) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2];

/** Whether `v` satisfies a range of the forms packages use here: `>=X.Y`, `^X.Y.Z`, `X`, `X.x`, `*`, joined by `||`. */
function satisfies(v: Version, range: string): boolean {
  return range.split('||').map((r) => r.replace(/\s+/g, '')).some((r) => {
    if (r === '*' || r === '') return true;
    if (r.startsWith('>=')) return cmp(v, parse(r.slice(2))) >= 0;
    if (/^\d+\.x$/.test(r)) return v[0] === parseInt(r, 10);
    if (r.startsWith('^')) return v[0] === parse(r.slice(1))[0] && cmp(v, parse(r.slice(1))) >= 0;
    if (/^\d+$/.test(r)) return v[0] === Number(r);
    throw new Error(`a range this test does not read: '${r}'`);
  });
}

describe('package-lock.json', () => {
  it('agrees with package.json (npm ci checks this)', () => {
    const root = lock.packages[''];
    expect(root.dependencies).toEqual(pkg.dependencies);
    expect(root.devDependencies).toEqual(pkg.devDependencies);
    expect(root.engines).toEqual(pkg.engines);
  });

  it("lists every locked package's optional dependencies, for every platform", () => {
    const missing: string[] = [];
    for (const [path, p] of Object.entries(lock.packages))
      for (const dep of Object.keys(p.optionalDependencies ?? {}))
        if (!lock.packages[`${path ? `${path}/` : ''}node_modules/${dep}`] && !lock.packages[`node_modules/${dep}`]) missing.push(`${path} → ${dep}`);
    expect(missing).toEqual([]);
  });

  it("has only packages that run on the oldest Node package.json's engines admit", () => {
    expect(satisfies([20, 19, 0], '>=22.0.0')).toBe(false); // chevrotain 13: what this test is for
    expect(satisfies([20, 19, 0], '^20.19.0 || >=22.12.0')).toBe(true);
    const oldest = parse(pkg.engines!.node!.replace(/^>=/, ''));
    expect(satisfies(parse(process.version), pkg.engines!.node!)).toBe(true);
    const refused = Object.entries(lock.packages)
      .filter(([, p]) => p.engines?.node && !satisfies(oldest, p.engines.node))
      .map(([path, p]) => `${path}@${p.version}: node ${p.engines!.node}`);
    expect(refused).toEqual([]);
  });
});
