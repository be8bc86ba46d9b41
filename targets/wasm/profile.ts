// A profiled build (WasmOptions.profile): the module imports one function, `env.profile_tick(site)`,
// and calls it on thread 0 when a run starts (site PROFILE_START) and after each launch
// (after its barrier in shared builds), with the launch site's ordinal. A host that reads
// a clock in it learns each launch site's time: the time since the tick before. Sites are
// numbered where run_thread's body is emitted, so a kernel launched in a while body or a
// switch branch has a site of its own, ticked each time that launch runs.
//
// A profiled module is a measuring tool (kiln bench --profile), never shipped: the calls
// out to the host cost time of their own, and an artifact's runtime has no tick to give.
import binaryen from 'binaryen';
import type { X } from './lib.js';

/** The imported function's name in `env`. */
export const PROFILE_TICK = 'profile_tick';
/** The site a run's first tick passes: the clock starts here. */
export const PROFILE_START = -1;

/** Declares the import; call once per module. */
export function importProfileTick(m: binaryen.Module): void {
  m.addFunctionImport(PROFILE_TICK, 'env', PROFILE_TICK, binaryen.i32, binaryen.none);
}

/** A tick of `site`; in a shared build only thread 0 ticks (the others wait at the same barriers). */
export function profileTick(m: binaryen.Module, site: number, shared: boolean, tid: () => X): X {
  const call = m.call(PROFILE_TICK, [m.i32.const(site)], binaryen.none);
  return shared ? m.if(m.i32.eqz(tid()), call) : call;
}
