#!/usr/bin/env node
// The kiln CLI. kiln is TypeScript run through tsx's loader, so it needs no build step.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// Registered after tsx, so it runs before tsx: see plain-binaryen.mjs.
registerHooks('./plain-binaryen.mjs', import.meta.url);
const { main } = await import('../compiler/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
