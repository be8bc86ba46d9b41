// `kiln`: dispatch to a command, map errors to exit codes, never print a stack trace
// for a user's mistake. Exit codes: 0 ok, 1 check failed (compare out of tolerance),
// 2 usage error, 3 bad input (unreadable, malformed or invalid model), 4 not compiled or
// not imported (an op, element type or ONNX op kiln does not handle yet), 70 internal error.
// Only light modules are imported here: the commands load their code when they run.
import { parseArgs } from 'node:util';
import { InputError, UsageError } from '../errors.js';
import { NeedsConstant, OnnxUnsupported } from '../frontends/onnx/errors.js';
import { HloParseError } from '../frontends/hlo/cursor.js';
import { NotCompiled } from '../../passes/lower/errors.js';
import { UnsupportedType } from '../../passes/lower/types.js';
import { NotSupported } from '../../targets/wasm/errors.js';
import { COMMANDS } from './commands.js';
import { commandHelp, mainHelp } from './help.js';
import { parseConfig, type Values } from './options.js';
import { isStackOverflow } from '../../ir/bugs.js';
import { InterpretError } from '../../ir/interpret/util.js';
import { TooLarge } from '../../ir/limits.js';
import { familyOf, type Opcode } from '../../ir/opcodes.js';

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

/** Whether the reference interpreter runs what a target refused (not opaque ops or dynamic shapes). */
const interpreterRuns = (e: Error): boolean =>
  !(e instanceof NotCompiled) || (familyOf(e.opcode as Opcode) !== 'opaque' && !/unbounded dynamic dimensions|random numbers|complex numbers/.test(e.reason));

/** A Node file-system error (it names the call and the path), as opposed to a kiln bug. */
const isFileError = (e: unknown): e is NodeJS.ErrnoException & { syscall: string; path: string } =>
  e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string' && typeof (e as NodeJS.ErrnoException).path === 'string' &&
  typeof (e as NodeJS.ErrnoException).code === 'string';

function report(e: unknown, name: string): number {
  if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`kiln ${name}: ${(e as Error).message}\nRun 'kiln ${name} --help' for usage.`);
    return 2;
  }
  if (e instanceof InputError || e instanceof HloParseError || e instanceof NeedsConstant) {
    console.error(`kiln ${name}: error: ${(e as Error).message}`);
    return 3;
  }
  if (e instanceof OnnxUnsupported) {
    console.error(`kiln ${name}: not imported: ${e.message}`);
    return 4;
  }
  if (isFileError(e)) { // -o naming a folder, --output-dir naming a file, a read-only disk: the user's paths, not a bug
    console.error(`kiln ${name}: error: cannot ${/write|mkdir|open|rename|copy/.test(e.syscall) ? 'write' : 'read'} ${e.path}: ${e.code}`);
    return 3;
  }
  if (e instanceof TooLarge) {
    console.error(`kiln ${name}: too large: ${e.message}`);
    return 4;
  }
  if (e instanceof InterpretError) {
    console.error(`kiln ${name}: not run: ${e.message}`);
    return 4;
  }
  if (isStackOverflow(e)) {
    console.error(`kiln ${name}: not run: the module nests (calls, tuples) deeper than kiln's recursion reaches (JS stack overflow)`);
    return 4;
  }
  if (e instanceof NotCompiled || e instanceof UnsupportedType || e instanceof NotSupported) {
    // One line; the hint only where the interpreter can run what the target cannot.
    const hint = interpreterRuns(e) ? ' (kiln run --backend interpreter runs it)' : '';
    console.error(`kiln ${name}: not compiled: ${(e as Error).message}${hint}`);
    return 4;
  }
  console.error(`kiln ${name}: internal error: ${(e as Error)?.stack ?? e}`);
  return 70;
}
