// One kernel → one `extern "C" __global__` CUDA C function, named after the kernel (which
// names the HLO instruction it came from), its buffers typed pointers. Kernel variables
// are declared at the top, zero-filled (kernel-IR variables live for the whole kernel and
// start at zero, as in the reference), local arrays likewise; `workgroup` arrays are
// `__shared__`, zero-filled by the block's threads before anything else (CUDA does not
// zero shared memory; the kernel IR promises zeros).
import { gridInvocations, SCALAR_TYPES, unreachable, type Kernel, type Loop, type ScalarType, type Stmt, type ValueType } from '../../ir/kernel/kernel.js';
import { someStmt, stmtExprs, walkExpr, walkStmts } from '../../ir/kernel/walk.js';
import { splitLoop, type SplitLoop } from '../gpu_plan.js';
import type { Names } from '../names.js';
import { NotSupported } from './errors.js';
import { ExprWriter, type ParamRef } from './expr.js';
import type { Helpers } from './helpers.js';
import { cudaNames, identifier } from './names.js';
import { Multiples } from '../../passes/kernel/multiples.js';
import { S32Ranges } from '../../passes/kernel/ranges.js';
import { cScalar, cType, STORAGE, zero } from './types.js';

/** Threads per block of a CPU-form kernel whose parallel loop becomes threads. */
export const SPLIT_BLOCK = 256;
/** CUDA's limits on one block and on static shared memory, and on grid.x. */
export const CUDA_LIMITS = { block: [1024, 1024, 64], threads: 1024, sharedBytes: 48 * 1024, gridX: 2 ** 31 - 1, gridYZ: 65535 } as const;

export type Dim3 = readonly [number, number, number];

export interface RenderedKernel {
  readonly text: string;
  readonly block: Dim3;
  readonly grid: Dim3;
  /** Bytes of its `__shared__` arrays. */
  readonly sharedBytes: number;
}

type Plan =
  | { readonly k: 'single' }
  | { readonly k: 'grid'; readonly block: Dim3; readonly grid: Dim3 }
  | ({ readonly k: 'split'; readonly blocks: number } & SplitLoop);

/** How `k` launches: its grid, one thread per iteration of its parallel loop, or one thread. */
function planKernel(k: Kernel): Plan {
  if (k.grid) {
    const L = CUDA_LIMITS, g = k.grid;
    if (g.size.some((s, d) => s > L.block[d]) || gridInvocations(g) > L.threads)
      throw new NotSupported(`${k.name}: blocks of ${g.size.join('×')} threads; CUDA allows ${L.block.join('×')}, ${L.threads} in all`);
    return { k: 'grid', block: g.size, grid: g.workgroups };
  }
  const split = splitLoop(k);
  if (!split) return { k: 'single' };
  const blocks = Math.ceil(split.count / SPLIT_BLOCK);
  if (blocks > CUDA_LIMITS.gridX) throw new NotSupported(`${k.name}: ${split.count} threads need more than 2^31 − 1 blocks`);
  return { k: 'split', ...split, blocks };
}

export interface KernelOptions {
  /** The function's name (the model's prefix + the kernel's name). */
  readonly entry: string;
  /** The parameters the kernel stores into (the others are `const`). */
  readonly stored: ReadonlySet<number>;
  /** Per parameter: whether no other parameter of any launch overlaps it (`__restrict__`). */
  readonly restrict: readonly boolean[];
  /** Per parameter: whether every launch passes it 16-byte aligned. */
  readonly aligned16: readonly boolean[];
  readonly helpers: Helpers;
}

export function renderKernel(k: Kernel, o: KernelOptions): RenderedKernel {
  const plan = planKernel(k);
  const names = cudaNames();
  for (const r of ['idx', 'kiln_i']) names.reserve(r);
  const params = k.params.map((p, i): ParamRef => ({ id: names.fresh(identifier(p.name)), dtype: p.dtype, aligned16: o.aligned16[i] }));
  const signature = params.map((p, i) => {
    const constness = o.stored.has(i) ? '' : 'const ';
    return `${constness}${STORAGE[p.dtype]}* ${o.restrict[i] ? '__restrict__ ' : ''}${p.id}`;
  });
  const w = new KernelWriter(k, names, params, o.helpers, plan);
  const body = w.write();
  const launch: { block: Dim3; grid: Dim3 } = plan.k === 'grid' ? { block: plan.block, grid: plan.grid }
    : plan.k === 'split' ? { block: [SPLIT_BLOCK, 1, 1], grid: [plan.blocks, 1, 1] } : { block: [1, 1, 1], grid: [1, 1, 1] };
  const threads = launch.block[0] * launch.block[1] * launch.block[2];
  if (w.sharedBytes > CUDA_LIMITS.sharedBytes) throw new NotSupported(`${k.name}: ${w.sharedBytes} bytes of __shared__ arrays; CUDA allows ${CUDA_LIMITS.sharedBytes} statically`);
  // Blocks per SM, the register budget's hint: ptxas, told only the block size, aims at full
  // occupancy (2048 threads: 32 registers each) and spills a GEMM tile's accumulators. A
  // quarter of it, in whole warps, caps a thread at 128 registers; a kernel needing fewer
  // uses fewer and keeps its occupancy. At most 32 blocks are resident on an SM (sm_90).
  const warps = Math.ceil(threads / 32);
  const blocks = Math.min(32, Math.max(1, Math.floor(16 / warps)));
  const head = `extern "C" __global__ void __launch_bounds__(${threads}, ${blocks}) ${o.entry}(${signature.join(', ')})`;
  const text = [`// ${k.name}: HLO ${k.source}`, `${head} {`, ...body.map((l) => `  ${l}`), '}'].join('\n');
  return { text, ...launch, sharedBytes: w.sharedBytes };
}

interface ArrayDecl { readonly id: string; readonly type: ScalarType; size: number; readonly shared: boolean }

class KernelWriter {
  private readonly arrays = new Map<string, ArrayDecl>();
  private readonly vars = new Map<string, ValueType>();
  private readonly x: ExprWriter;
  /** Variables some expression reads: a let of any other computes nothing anyone sees (and nvcc warns of it). */
  private readonly read: ReadonlySet<string>;
  sharedBytes = 0;

  constructor(private readonly k: Kernel, private readonly names: Names, params: readonly ParamRef[], helpers: Helpers, private readonly plan: Plan) {
    this.x = new ExprWriter(k.name, helpers, params, (name, t) => this.variable(name, t), (name) => this.array(name), new S32Ranges(k), new Multiples(k));
    this.read = readVariables(k.body);
    this.declare();
  }

  private static key = (t: ValueType): string => `${t.scalar}x${t.lanes}`;

  /** Every variable (name, type) and array of the kernel, so that each gets one identifier. */
  private declare(): void {
    const note = (name: string, t: ValueType) => {
      if (!this.read.has(name)) return;
      const id = this.names.variable(name, KernelWriter.key(t));
      if (!this.vars.has(id)) this.vars.set(id, t);
    };
    const top = new Set(this.k.body);
    walkStmts(this.k.body, (s) => {
      if (s.k === 'let' || s.k === 'assign') note(s.name, s.value.type);
      if (s.k === 'loop') note(s.loop.var, s.loop.start.type);
      if (s.k !== 'array') return;
      const shared = this.plan.k === 'grid' && s.scope === 'workgroup';
      if (shared && !top.has(s)) this.x.fail(`workgroup array '${s.name}' declared inside a loop or branch`);
      const a = this.arrays.get(s.name);
      if (a && (a.type !== s.type || a.shared !== shared)) this.x.fail(`array '${s.name}' declared twice, differently`);
      if (a) a.size = Math.max(a.size, s.size);
      else this.arrays.set(s.name, { id: this.names.fresh(`${identifier(s.name)}_a`), type: s.type, size: s.size, shared });
    });
    for (const a of this.arrays.values()) if (a.shared) this.sharedBytes += a.size * SCALAR_TYPES[a.type].bytes;
  }

  private variable(name: string, t: ValueType): string {
    const id = this.names.variable(name, KernelWriter.key(t));
    if (!this.vars.has(id)) this.x.fail(`variable '${name}' (${cType(t)}) used before it is defined`);
    return id;
  }

  private array(name: string): string {
    return this.arrays.get(name)?.id ?? this.x.fail(`array '${name}' used before it is declared`);
  }

  write(): string[] {
    const decls = [...this.vars].map(([id, t]) => `${cType(t)} ${id} = ${t.lanes === 1 ? zero(t.scalar) : '{}'};`);
    const arrays = [...this.arrays.values()];
    const local = arrays.filter((a) => !a.shared).map((a) => `${cScalar(a.type)} ${a.id}[${a.size}] = {};`);
    const shared = arrays.filter((a) => a.shared);
    const firstArray = new Set<Stmt>();
    const seen = new Set<string>();
    for (const s of this.k.body) if (s.k === 'array' && !seen.has(s.name)) { seen.add(s.name); firstArray.add(s); }
    const body: string[] = [];
    this.k.body.forEach((s, i) => {
      if (firstArray.has(s)) return; // zeroed by its declaration
      if (this.plan.k === 'split' && i === this.plan.at) body.push(...this.parallel(this.plan));
      else body.push(...this.stmt(s));
    });
    return [...decls, ...local, ...this.sharedDecls(shared), ...body];
  }

  /** `__shared__` arrays, zeroed by the block's threads together, then a barrier. */
  private sharedDecls(shared: readonly ArrayDecl[]): string[] {
    if (shared.length === 0 || this.plan.k !== 'grid') return [];
    const [bx, by, bz] = this.plan.block;
    const threads = bx * by * bz;
    const tid = by * bz === 1 ? '(int)threadIdx.x' : bz === 1 ? `(int)(threadIdx.x + ${bx} * threadIdx.y)` : `(int)(threadIdx.x + ${bx} * (threadIdx.y + ${by} * threadIdx.z))`;
    return [
      ...shared.map((a) => `__shared__ ${cScalar(a.type)} ${a.id}[${a.size}];`),
      '// CUDA leaves shared memory undefined; the kernel IR starts it at zero.',
      ...shared.map((a) => `for (int kiln_i = ${tid}; kiln_i < ${a.size}; kiln_i += ${threads}) ${a.id}[kiln_i] = ${zero(a.type)};`),
      '__syncthreads();',
    ];
  }

  /** The top-level parallel loop: thread `idx` of the launch runs iteration `idx`. */
  private parallel(p: Extract<Plan, { k: 'split' }>): string[] {
    const v = this.variable(p.loop.var, p.loop.start.type);
    const first = p.start === 0 ? '' : `${p.start} + `;
    const iv = p.loop.step === 1 ? 'idx' : `idx * ${p.loop.step}`;
    return [
      `const int idx = (int)(blockIdx.x * ${SPLIT_BLOCK} + threadIdx.x);`,
      `if (idx < ${p.count}) {`,
      `  ${v} = ${first}${iv};`,
      ...this.block(p.loop.body),
      '}',
    ];
  }

  private block(stmts: readonly Stmt[]): string[] {
    return stmts.flatMap((s) => this.stmt(s)).map((l) => `  ${l}`);
  }

  private stmt(s: Stmt): string[] {
    const x = this.x;
    switch (s.k) {
      case 'let': case 'assign': return this.read.has(s.name) ? [`${this.variable(s.name, s.value.type)} = ${x.expr(s.value)};`] : [];
      case 'store': return [x.store(s.buf, s.index, s.value)];
      case 'array': {
        const a = this.arrays.get(s.name)!;
        return a.shared ? [] : [`for (int kiln_i = 0; kiln_i < ${a.size}; ++kiln_i) ${a.id}[kiln_i] = ${zero(a.type)};`];
      }
      case 'localStore': return [x.localStore(s.array, s.index, s.value)];
      case 'loop': return this.loop(s.loop);
      case 'if': {
        const then = this.block(s.then), other = this.block(s.else);
        const head = `if (${unwrap(x.expr(s.cond))}) {`;
        return other.length ? [head, ...then, '} else {', ...other, '}'] : [head, ...then, '}'];
      }
      case 'barrier':
        return this.plan.k === 'grid' ? ['__syncthreads();'] : ['// barrier: each thread is a workgroup of its own here (local arrays), so nothing waits'];
      default: return unreachable(s);
    }
  }

  /** `for (v = start; v < end; v += step)`, the end read once before the loop, as the reference reads it. */
  private loop(l: Loop): string[] {
    const x = this.x;
    const v = this.variable(l.var, l.start.type);
    const endText = x.expr(l.end, true);
    const literalEnd = /^\(?-?\d+[a-z]*\)?$/.test(endText);
    const end = literalEnd ? endText : this.names.fresh(`${v}_end`);
    const bind = literalEnd ? [] : [`const ${cType(l.end.type)} ${end} = ${endText};`];
    const step = l.step === 1 ? `++${v}` : `${v} += ${l.step}`;
    // A serial loop holding another stays rolled: nvcc unrolls every short constant loop of a
    // nest on its own, and ptxas, at the launch bounds' register budget, then schedules the
    // whole nest's loads at once and spills (ONNX's NLLLoss expanded: six nested loops of 3 to 6).
    const nest = l.mode === 'serial' && someStmt(l.body, (s) => s.k === 'loop');
    const pragma = l.mode === 'unroll' ? ['#pragma unroll'] : nest ? ['#pragma unroll 1'] : [];
    return [...bind, ...pragma, `for (${v} = ${x.expr(l.start, true)}; ${v} < ${end}; ${step}) {${l.mode === 'parallel' ? ' // parallel' : ''}`, ...this.block(l.body), '}'];
  }
}

/** Names of the variables any expression of `body` reads (loop bounds included). */
function readVariables(body: readonly Stmt[]): Set<string> {
  const read = new Set<string>();
  walkStmts(body, (s) => {
    for (const e of stmtExprs(s)) walkExpr(e, (x) => { if (x.k === 'var') read.add(x.name); });
    if (s.k === 'loop') read.add(s.loop.var);
  });
  return read;
}

/** `(a < b)` as `a < b` where the parentheses are the text's own outer pair (an `if` adds its own). */
function unwrap(text: string): string {
  if (!text.startsWith('(') || !text.endsWith(')')) return text;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    depth += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0;
    if (depth === 0 && i < text.length - 1) return text;
  }
  return text.slice(1, -1);
}
