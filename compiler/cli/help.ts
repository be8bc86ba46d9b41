// Help text, written from the command and option tables (options.ts), the same tables
// the parser uses.
import type { Command, OptionSpec } from './options.js';

const WIDTH = 92;
export const EXIT_CODES = '0 ok, 1 check failed, 2 usage error, 3 bad input, 4 not compiled or not imported (unsupported), 70 internal error (a kiln bug)';

/** `kiln --help`: the commands and their summaries. */
export function mainHelp(commands: Readonly<Record<string, Command>>): string {
  return `kiln — an ahead-of-time model compiler (HLO text or ONNX in; kernels out)

usage: kiln <command> [options]

commands:
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`).join('\n')}

Run 'kiln <command> --help' for a command's options.
exit codes: ${EXIT_CODES}`;
}

/** `kiln <command> --help`: usage, what it does, then one entry per option. */
export function commandHelp(name: string, c: Command): string {
  const options = Object.entries(c.options).map(([flag, o]) => optionHelp(flag, o));
  options.push(optionHelp('help', { type: 'boolean', short: 'h', help: 'prints this help' }));
  return [`usage: kiln ${name} ${c.args} [options]`, '', wrap(c.about, '  '), '', 'options:', ...options].join('\n');
}

function optionHelp(flag: string, o: OptionSpec): string {
  const names = `${o.short ? `-${o.short}, ` : ''}--${flag}${o.arg ? ` ${o.arg}` : ''}`;
  const repeat = o.multiple ? ' (repeatable)' : '';
  return `  ${names}\n${wrap(o.help + repeat, '      ')}`;
}

/** Paragraphs (split on blank lines) filled to WIDTH columns. */
function wrap(text: string, indent: string): string {
  return text.split(/\n\s*\n/).map((para) => {
    const lines: string[] = [];
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > WIDTH) {
        lines.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(indent + line);
    return lines.join('\n');
  }).join('\n\n');
}
