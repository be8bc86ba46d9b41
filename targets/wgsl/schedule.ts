// How a kernel runs as a compute shader. A grid kernel (kernel.grid, GPU lowering's form)
// says so itself: its grid is the dispatch, its body the shader's. A CPU-form kernel puts its work in
// one top-level `parallel` loop over rows. The wasm target's threading rule decides: when
// every buffer store lies inside the kernel's first top-level `parallel` loop, each of its
// iterations is one invocation (the statements before it, which store nothing, run in
// every invocation); otherwise the whole kernel is one invocation. The loop's bounds must
// fold to constants here, since they size the dispatch.
import { gridInvocations, isWide, SCALAR_TYPES, type Expr, type Grid, type Kernel, type Loop, type Stmt } from '../../ir/kernel/kernel.js';
import { stmtExprs, walkExpr, walkStmts } from '../../ir/kernel/walk.js';
import { NotSupported } from './errors.js';
import { fold, splitLoop } from '../gpu_plan.js';

/** Invocations per workgroup of a split kernel. */
export const WORKGROUP = 64;
/** WebGPU's default maxComputeWorkgroupsPerDimension. */
export const MAX_GROUPS = 65535;

/** WebGPU's default limits on one workgroup (maxComputeWorkgroupSizeX/Y/Z, maxComputeInvocationsPerWorkgroup, maxComputeWorkgroupStorageSize). */
export const WORKGROUP_LIMITS = { size: [256, 256, 64], invocations: 256, memoryBytes: 16384 } as const;

export type Plan =
  | { readonly k: 'single' }
  /** A grid kernel: dispatched as its grid says. */
  | { readonly k: 'grid'; readonly grid: Grid }
  /** Top-level statement `at` is the parallel loop; iteration j runs `start + j·step`, j < count. */
  | { readonly k: 'split'; readonly at: number; readonly loop: Loop; readonly start: number; readonly count: number; readonly groups: readonly [number, number, number] };

export function planKernel(k: Kernel): Plan {
  if (k.grid) return { k: 'grid', grid: checkGrid(k, k.grid) };
  const split = splitLoop(k);
  if (!split) return { k: 'single' };
  const groups = Math.ceil(split.count / WORKGROUP);
  const x = Math.min(groups, MAX_GROUPS), y = Math.ceil(groups / x);
  if (y > MAX_GROUPS) throw new NotSupported(`${k.name}: ${split.count} invocations need more than ${MAX_GROUPS}² workgroups`);
  return { k: 'split', ...split, groups: [x, y, 1] };
}

/** `g` if every device runs it (WebGPU's default limits), else NotSupported naming the kernel. */
function checkGrid(k: Kernel, g: Grid): Grid {
  const L = WORKGROUP_LIMITS;
  if (g.size.some((s, d) => s > L.size[d]) || gridInvocations(g) > L.invocations)
    throw new NotSupported(`${k.name}: workgroups of ${g.size.join('×')} invocations; WebGPU's default limits allow ${L.size.join('×')}, ${L.invocations} in all`);
  if (g.workgroups.some((w) => w > MAX_GROUPS)) throw new NotSupported(`${k.name}: ${g.workgroups.join('×')} workgroups; at most ${MAX_GROUPS} per dim`);
  let bytes = 0;
  walkStmts(k.body, (s) => { if (s.k === 'array' && s.scope === 'workgroup') bytes += s.size * Math.max(4, SCALAR_TYPES[s.type].bytes); });
  if (bytes > L.memoryBytes) throw new NotSupported(`${k.name}: ${bytes} bytes of workgroup arrays; WebGPU's default limit is ${L.memoryBytes}`);
  return g;
}

/**
 * A lower bound on the most loop iterations (every level's, as back-edges) one entry of a
 * top-level loop nest makes in one invocation: loops whose bounds do not fold count as
 * none; the s64/u64 helpers' loops (divide, remainder, power) count at their most, 64
 * steps a call, since a driver sees them inlined into the nest. A split kernel's
 * parallel loop is not a loop in the shader. Some drivers cap this: Mesa's llvmpipe (the
 * lavapipe Vulkan driver) leaves every loop nest after 65535 iterations, silently.
 */
export function loopNestIterations(k: Kernel): number {
  const plan = planKernel(k);
  const body = plan.k === 'split' ? [...k.body.slice(0, plan.at), ...plan.loop.body, ...k.body.slice(plan.at + 1)] : k.body;
  const env = new Map<string, number>();
  /** Iterations of the loops in `stmts` (helpers' loops included), run once. */
  const cost = (stmts: readonly Stmt[]): number => stmts.reduce((sum, s) => {
    const own = helperIterations(s);
    if (s.k === 'if') return sum + own + Math.max(cost(s.then), cost(s.else));
    if (s.k !== 'loop') return sum + own;
    const start = fold(s.loop.start, env), end = fold(s.loop.end, env);
    if (start === undefined || end === undefined) return sum;
    const trips = Math.max(0, Math.ceil((end - start) / s.loop.step));
    return sum + trips * (1 + cost(s.loop.body));
  }, 0);
  let most = 0;
  for (const s of body) most = Math.max(most, cost([s]));
  return most;
}

/** The s64/u64 helpers that loop (lib_int64.ts): at most 64 steps per call. */
const LOOPING_64: ReadonlySet<string> = new Set(['divide', 'remainder', 'power']);

/**
 * The most iterations of helper loops one run of statement `s` (not its nested statements)
 * makes: 64 per s64/u64 divide, remainder or power in its expressions. The shader inlines
 * them, so they count toward the loop nest they sit in.
 */
function helperIterations(s: Stmt): number {
  let n = 0;
  for (const e of stmtExprs(s)) walkExpr(e, (x) => { if (x.k === 'binary' && isWide(x.type.scalar) && LOOPING_64.has(x.op)) n += 64; });
  return n;
}

const F64 = 'WGSL has no 64-bit floats (kiln emulates s64/u64 on vec2<u32>, not f64)';

/**
 * Refuses a kernel with any f64 value, buffer or array, or a vector of a 64-bit type
 * (the kernel IR's builders make none: 64-bit values are scalars only), naming it.
 */
export function checkTypes(k: Kernel): void {
  const f64 = k.params.find((p) => p.dtype === 'f64');
  if (f64) throw new NotSupported(`${k.name}: f64 buffer ${f64.name}: ${F64}`);
  const visit = (e: Expr): void => {
    if (e.type.scalar === 'f64') throw new NotSupported(`${k.name}: f64 values: ${F64}`);
    if (isWide(e.type.scalar) && e.type.lanes !== 1) throw new NotSupported(`${k.name}: a vector of ${e.type.scalar}: 64-bit values are scalars only`);
  };
  walkStmts(k.body, (s) => {
    if (s.k === 'array' && s.type === 'f64') throw new NotSupported(`${k.name}: f64 array ${s.name}: ${F64}`);
    stmtExprs(s).forEach((e) => walkExpr(e, visit));
  });
}
