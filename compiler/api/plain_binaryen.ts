// Under tsx (`npx tsx app.ts`, how many apps run TypeScript), tsx's loader rewrites every
// module that contains `import(`, binaryen's 15 MB index.js included, with a lexer pass and
// a source map: 30-40 s before the first wasm compile, in every process. This registers a
// loader hook, once, before binaryen is first imported, that hands binaryen's own files to
// Node untouched (bin/plain-binaryen.mjs does the same for kiln's scripts). Hooks run last
// registered first, so it runs before tsx's; without tsx it only passes other modules on.
const HOOK = `
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.includes('/node_modules/binaryen/') && url.endsWith('.js')) {
    const { readFile } = await import('node:fs/promises');
    return { format: 'module', source: await readFile(new URL(url)), shortCircuit: true };
  }
  return nextLoad(url, context);
}`;

let registered = false;

export async function loadBinaryenPlainly(): Promise<void> {
  if (registered || typeof process === 'undefined' || typeof process.versions?.node !== 'string') return;
  registered = true;
  const { register } = await import('node:module');
  if (typeof register === 'function') register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
}
