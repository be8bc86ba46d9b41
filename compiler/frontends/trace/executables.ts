// Compiled modules of traced functions, cached in memory by backend and module text: an
// eager read and a jitted call that trace to the same module share one executable. Under
// it, for wasm, the on-disk cache where one is set (disk_cache.ts).
import type { Module } from '../../../ir/module.js';
import { printModule } from '../../../ir/print.js';
import type { Prepared } from '../../api/compile.js';
import type { BackendName } from '../../api/types.js';
import { cacheDir } from './config.js';

export interface CompileSettings {
  backend: BackendName;
  threads?: number;
  /** Outputs written over donated inputs (compile's `aliases`). */
  aliases?: readonly { output: number; param: number }[];
}

const cache = new Map<string, Promise<Prepared>>();

/** The executable for `m` on the settings' backend, compiled once per module text. */
export function executableFor(m: Module, settings: CompileSettings): Promise<Prepared> {
  const text = printModule(m);
  const key = `${settings.backend}/${settings.threads ?? 1}/${JSON.stringify(settings.aliases ?? [])}\n${text}`;
  let p = cache.get(key);
  if (!p) {
    p = compileModule(m, text, settings);
    cache.set(key, p);
    // A failed compile is not cached: the next call reports the same error afresh.
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function compileModule(m: Module, text: string, settings: CompileSettings): Promise<Prepared> {
  const dir = settings.backend === 'wasm' ? cacheDir() : undefined;
  const [{ prepare, asKilnError }, { verified }] = await Promise.all([import('../../api/compile.js'), import('../../verified.js')]);
  try {
    if (dir !== undefined) return await (await import('./disk_cache.js')).cachedWasm(dir, m, text, settings);
    return await prepare(settings.backend, verified(m, m.name), { aliases: settings.aliases }, settings.threads ?? 1);
  } catch (e) {
    throw await asKilnError(e);
  }
}

/** Frees every cached executable (wasm workers, GPU buffers). */
export async function clearExecutables(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.dispose()));
}
