#!/usr/bin/env node
// The kiln CLI. It runs the JavaScript bin/build.mjs bundled into dist/ (npm install and
// npm ci build it through `prepare`). When dist/ is missing or older than any source it
// was built from (after an edit, a checkout, a pull), it is rebuilt first, which takes a
// few tenths of a second: what runs is always the sources as they are, and the tests that
// spawn kiln test what users run.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCli, ENTRY, INPUTS } from './build.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Whether dist/ lacks the entry or, in a git checkout, a source listed in dist/inputs.json
 * changed since it was built. An installed kiln (no .git: a package from npm pack or a
 * registry) skips the sources: nobody edits them there, and the ~130 stats took 15-25 ms
 * on the (busy, virtual) machine kiln is developed on.
 */
function stale() {
  if (!existsSync(join(ROOT, '.git'))) return !existsSync(ENTRY);
  try {
    const built = statSync(ENTRY).mtimeMs;
    const inputs = JSON.parse(readFileSync(INPUTS, 'utf8'));
    // A source that is gone means a rebuild too.
    return inputs.some((p) => {
      const s = statSync(join(ROOT, p), { throwIfNoEntry: false });
      return !s || s.mtimeMs > built;
    });
  } catch {
    return true;
  }
}

if (stale()) {
  try {
    await buildCli();
  } catch (e) {
    // An install kiln cannot write to (a global one owned by root) runs the build it has.
    if (!existsSync(ENTRY)) throw e;
    console.error(`kiln: note: could not rebuild ${ENTRY} from newer sources (${e.code ?? e.message}); running it as built`);
  }
}
const { main } = await import(pathToFileURL(ENTRY).href);
process.exitCode = await main(process.argv.slice(2));
