#!/usr/bin/env node
// The kiln CLI. kiln is TypeScript run through tsx's loader, so it needs no build step.
import './register.mjs';

const { main } = await import('../compiler/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
