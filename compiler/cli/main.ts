// `kiln`: dispatch to a command, map errors to exit codes, never print a stack trace
// for a user's mistake. Exit codes: 0 ok, 1 check failed (compare out of tolerance),
// 2 usage error, 3 bad input (unreadable, malformed or invalid model), 4 not compiled
// (an op or element type the chosen target does not compile yet), 70 internal error.
import { parseArgs } from 'node:util';
import { exitCodeOf } from '../exit_codes.js';
import { COMMANDS } from './commands.js';

const HELP = `kiln — an ahead-of-time model compiler (HLO text in; kernels out)

usage: kiln <command> [options]

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`).join('\n')}

Run 'kiln <command> --help' for a command's options.
exit codes: 0 ok, 1 check failed, 2 usage error, 3 bad input, 4 not compiled, 70 internal error`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    console.log(topic && COMMANDS[topic] ? COMMANDS[topic].usage : HELP);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`kiln: unknown command '${name}'\n\n${HELP}`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(cmd.usage);
      return 0;
    }
    return await cmd.run(positionals, values as Record<string, string | boolean | string[] | undefined>);
  } catch (e) {
    return report(e, name);
  }
}

function report(e: unknown, name: string): number {
  const code = exitCodeOf(e);
  if (code === 2) {
    console.error(`kiln ${name}: ${(e as Error).message}\nRun 'kiln ${name} --help' for usage.`);
    return 2;
  }
  if (code === 3) {
    console.error(`kiln ${name}: error: ${(e as Error).message}`);
    return 3;
  }
  if (code === 4) {
    console.error(`kiln ${name}: not compiled: ${(e as Error).message}\n(kiln run --backend interpreter runs every op)`);
    return 4;
  }
  console.error(`kiln ${name}: internal error: ${(e as Error)?.stack ?? e}`);
  return 70;
}
