// Help is written from the option tables the parser uses: every option a command accepts
// is in its help, and --backend lists the backends table.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BACKENDS } from '../../compiler/backend.js';
import { COMMANDS } from '../../compiler/cli/commands.js';
import { main } from '../../compiler/cli/main.js';
import { targetNames } from '../../compiler/targets.js';
import { kiln } from './kiln.js';

afterEach(() => vi.restoreAllMocks());

/** The exit code of main() here (quicker than a process per option), output discarded. */
async function exitCode(...args: string[]): Promise<number> {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  return main(args);
}

describe('kiln help', () => {
  it.each(Object.keys(COMMANDS))('kiln %s --help names every option the parser accepts', async (name) => {
    const r = kiln([name, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: kiln ${name} `));
    for (const [flag, o] of Object.entries(COMMANDS[name].options)) {
      expect(r.stdout, `--${flag}`).toMatch(new RegExp(`^  ${o.short ? `-${o.short}, ` : ''}--${flag}\\b`, 'm'));
      expect(await exitCode(name, `--${flag}`, ...(o.type === 'string' ? ['x'] : []), '--help'), `--${flag} is accepted`).toBe(0);
    }
  });

  it('lists the backends of the backends table', () => {
    const names = BACKENDS.map((b) => b.name);
    for (const name of ['run', 'compare', 'bench']) {
      const line = kiln([name, '--help']).stdout.split('\n').find((l) => l.startsWith('  --backend '));
      expect(line, name).toBe(`  --backend ${names.join('|')}`);
    }
  });

  it('--target lists the targets table and refuses a name it does not hold, listing the known ones', async () => {
    const line = kiln(['compile', '--help']).stdout.split('\n').find((l) => l.startsWith('  --target '));
    expect(line).toBe(`  --target ${targetNames().join('|')}`);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main(['compile', 'examples/mlp.hlo', '--target', 'tpu', '-o', 'unused'])).toBe(2);
    expect(err.mock.calls.flat().join('\n')).toContain(`--target: unknown target 'tpu'; known: ${targetNames().join(', ')}`);
  });

  it('lists every command, and refuses options a command does not take', () => {
    const r = kiln(['--help']);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    const bad = kiln(['run', 'examples/mlp.hlo', '--target', 'wasm']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--target'/);
  });
});
