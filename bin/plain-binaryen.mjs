// A module loader hook that hands binaryen's index.js to Node untouched. binaryen is plain ESM,
// but it contains `import(`, so tsx rewrites it with a lexer pass and a high-resolution source
// map over all 15 MB: about 9 s in every process that compiles to wasm, and never cached.
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.includes('/node_modules/binaryen/') && url.endsWith('.js')) {
    return { format: 'module', source: await readFile(new URL(url)), shortCircuit: true };
  }
  return nextLoad(url, context);
}
