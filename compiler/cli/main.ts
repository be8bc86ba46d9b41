// `kiln`: dispatch to a command, map errors to exit codes (compiler/exit_codes.ts: 0 ok,
// 1 check failed, 2 usage, 3 bad input, 4 not compiled, imported or run, 5 backend
// unavailable here, 70 internal error), never print a stack trace for a user's mistake.
// Only light modules are imported here: the commands load their code when they run.
import { parseArgs } from 'node:util';
import { classify } from '../exit_codes.js';
import { COMMANDS } from './commands.js';
import { commandHelp, mainHelp } from './help.js';
import { parseConfig, type Values } from './options.js';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    console.log(topic && Object.hasOwn(COMMANDS, topic) ? commandHelp(topic, COMMANDS[topic]) : mainHelp(COMMANDS));
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    console.error(`kiln: unknown command '${name}'\n\n${mainHelp(COMMANDS)}`);
    return 2;
  }
  const cmd = COMMANDS[name];
  try {
    const { values, positionals } = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: { ...parseConfig(cmd.options), help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(commandHelp(name, cmd));
      return 0;
    }
    return await cmd.run(positionals, values as Values);
  } catch (e) {
    return report(e, name);
  }
}

function report(e: unknown, name: string): number {
  const f = classify(e);
  if (f.code === 2) console.error(`kiln ${name}: ${f.message}\nRun 'kiln ${name} --help' for usage.`);
  else console.error(`kiln ${name}: ${f.kind}: ${f.message}`);
  return f.code;
}
