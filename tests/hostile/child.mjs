// The kiln CLI as bin/kiln.mjs runs it, then its peak memory on fd 3 for the hostile test.
import '../../bin/register.mjs';
import { writeSync } from 'node:fs';

const { main } = await import('../../compiler/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
try { writeSync(3, `maxRSS ${process.resourceUsage().maxRSS}\n`); } catch { /* fd 3 not open: run by hand */ }
