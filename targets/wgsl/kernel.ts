// One launch of a kernel → one WGSL compute shader, its buffers' byte offsets built in as
// constants (as the wasm target emits a function per launch). Kernel variables are
// function-scope `var`s declared at the top (kernel-IR variables live for the whole
// kernel, and WGSL zero-fills them as the reference does), local arrays likewise, zeroed
// again where their `array` statement runs inside a loop or a branch.
import { isWide, unreachable, type Kernel, type Loop, type Stmt, type ValueType } from '../../ir/kernel/kernel.js';
import { someStmt, walkStmts } from '../../ir/kernel/walk.js';
import type { GpuBinding } from '../../runtime/webgpu/manifest.js';
import { ExprWriter, GPU_ID, type BoundParam } from './expr.js';
import { Helpers, type HelperDef } from './helpers.js';
import { FLOAT_HELPERS } from './lib_float.js';
import { INT_HELPERS } from './lib_int.js';
import { INT64_HELPERS } from './lib_int64.js';
import { TRIG_HELPERS } from './lib_trig.js';
import { isNarrow, memoryHelpers, setWord, storeBits, type RegionAccess, type RegionName } from './memory.js';
import { Names } from './names.js';
import { checkTypes, planKernel, WORKGROUP, type Plan } from './schedule.js';
import { wgslScalar, wgslType } from './types.js';

export interface LaunchParam {
  readonly region: RegionName;
  /** Byte offset of the buffer in its region. */
  readonly base: number;
}

export interface RenderedLaunch {
  readonly entryPoint: string;
  readonly wgsl: string;
  readonly workgroupSize: readonly [number, number, number];
  readonly workgroups: readonly [number, number, number];
  readonly bindings: readonly GpuBinding[];
}

const hasLoop = (stmts: readonly Stmt[]): boolean => someStmt(stmts, (s) => s.k === 'loop');

const STATIC_HELPERS = new Map<string, HelperDef>([...Object.entries(INT_HELPERS), ...Object.entries(INT64_HELPERS), ...Object.entries(FLOAT_HELPERS), ...Object.entries(TRIG_HELPERS)]);
const BINDING: { readonly [R in RegionName]: number } = { arena: 0, consts: 1 };
/** The entry point's parameters: a grid kernel reads its coordinates (gpuId), a CPU-form one its global index. */
const BUILTINS: { readonly [K in Plan['k']]: string } = {
  single: '@builtin(global_invocation_id) gid: vec3<u32>',
  split: '@builtin(global_invocation_id) gid: vec3<u32>',
  grid: `@builtin(local_invocation_id) ${GPU_ID.local}: vec3<u32>, @builtin(workgroup_id) ${GPU_ID.workgroup}: vec3<u32>`,
};

/** The shader of `k` launched on buffers at `params`, with entry point `entry`. */
/**
 * Where a shader reports a loop that ended before its bound: arena word `word` gets `value`.
 * Some drivers cut long loops short without a word (Mesa's llvmpipe after 65535 iterations
 * per loop nest); a `for` whose variable is still below its end after the loop was cut, and
 * the runtime turns the report into an error instead of returning wrong numbers.
 */
export interface LoopCheck {
  readonly word: number;
  readonly value: number;
}

export function renderLaunch(k: Kernel, entry: string, params: readonly LaunchParam[], header: string, check?: LoopCheck): RenderedLaunch {
  checkTypes(k);
  if (params.length !== k.params.length) throw new Error(`${k.name}: launched with ${params.length} buffers for ${k.params.length} parameters`);
  const stored = new Set<number>();
  let loops = false;
  walkStmts(k.body, (s) => { if (s.k === 'store') stored.add(s.buf); if (s.k === 'loop') loops = true; });
  const plan = planKernel(k);
  const checked = check && (plan.k !== 'split' ? loops : hasLoop(plan.loop.body) || hasLoop(k.body.filter((_, i) => i !== plan.at))) ? check : undefined;
  const writes = [...stored].some((b) => params[b]?.region === 'arena') || checked !== undefined;
  if ([...stored].some((b) => params[b]?.region === 'consts')) throw new Error(`${k.name}: stores into a constant buffer`);
  const atomic = [...stored].some((b) => isNarrow(k.params[b].dtype));
  const regions: RegionAccess[] = (['arena', 'consts'] as const)
    .filter((r) => params.some((p) => p.region === r) || (r === 'arena' && checked))
    .map((name) => ({ name, atomic: name === 'arena' && atomic }));
  const bound = k.params.map((param, i): BoundParam => ({ param, region: regions.find((r) => r.name === params[i].region)!, base: params[i].base }));
  const helpers = new Helpers(new Map([...STATIC_HELPERS, ...Object.entries(memoryHelpers(regions))]));
  const arena = regions.find((r) => r.name === 'arena');
  const report = checked && arena ? setWord(arena, String(checked.word), `${checked.value}u`) : undefined;
  const body = new KernelWriter(k, bound, helpers, plan, report).write();

  const decl = regions.map((r) => {
    const access = r.name === 'arena' && writes ? 'read_write' : 'read';
    const elem = r.atomic ? 'atomic<u32>' : 'u32';
    return `@group(0) @binding(${BINDING[r.name]}) var<storage, ${access}> ${r.name}: array<${elem}>;`;
  });
  const size: readonly [number, number, number] = plan.k === 'grid' ? plan.grid.size : [plan.k === 'split' ? WORKGROUP : 1, 1, 1];
  const main = [`@compute @workgroup_size(${workgroupSizeText(size)})`, `fn ${entry}(${BUILTINS[plan.k]}) {`, ...body.main.map((l) => `  ${l}`), '}'];
  const lib = helpers.render();
  const shared = body.shared.length ? [...body.shared, ''] : [];
  const wgsl = [header, ...decl, '', ...shared, ...(lib ? [lib, ''] : []), ...main, ''].join('\n');
  const bindings = regions.map((r): GpuBinding => ({
    binding: BINDING[r.name],
    region: r.name === 'arena' ? 'arena' : 'constants',
    type: r.name === 'arena' && writes ? 'storage' : 'read-only-storage',
  }));
  const workgroups = plan.k === 'grid' ? plan.grid.workgroups : plan.k === 'split' ? plan.groups : [1, 1, 1] as const;
  return { entryPoint: entry, wgsl, workgroupSize: size, workgroups, bindings };
}

/** `64`, `64, 4`, `8, 8, 4`: trailing 1s left out, as WGSL allows. */
function workgroupSizeText(size: readonly [number, number, number]): string {
  const n = size[2] > 1 ? 3 : size[1] > 1 ? 2 : 1;
  return size.slice(0, n).join(', ');
}

class KernelWriter {
  private readonly names = new Names();
  private readonly arrays = new Map<string, { id: string; type: string; size: number; shared: boolean }>();
  private readonly vars = new Map<string, { id: string; type: string }>();
  /** s64 and u64 are both vec2<u32>: identifiers are per kernel-IR type, not per WGSL type. */
  private static key = (t: ValueType): string => `${t.scalar}x${t.lanes}`;
  private readonly x: ExprWriter;

  /** `report`: the statement that reports a loop cut short (see LoopCheck), if the shader checks. */
  constructor(private readonly k: Kernel, params: readonly BoundParam[], helpers: Helpers, private readonly plan: Plan, private readonly report?: string) {
    for (const r of ['arena', 'consts', 'gid', 'idx']) this.names.reserve(r);
    this.x = new ExprWriter(k.name, helpers, this.names, params, (name, t) => this.variable(name, t), (name) => this.array(name), plan.k === 'grid');
    this.declare();
  }

  /** Every variable (name, type) and array of the kernel, so that each gets one identifier. */
  private declare(): void {
    const note = (name: string, t: ValueType) => {
      const id = this.names.variable(name, KernelWriter.key(t));
      if (!this.vars.has(id)) this.vars.set(id, { id, type: wgslType(t) });
    };
    walkStmts(this.k.body, (s) => {
      if (s.k === 'let' || s.k === 'assign') note(s.name, s.value.type);
      if (s.k === 'loop') note(s.loop.var, s.loop.start.type);
      if (s.k === 'array') {
        const type = wgslScalar(s.type);
        const a = this.arrays.get(s.name);
        if (a && a.type !== type) this.x.fail(`array '${s.name}' declared as ${a.type} and ${type}`);
        const shared = this.plan.k === 'grid' && s.scope === 'workgroup';
        if (a && a.shared !== shared) this.x.fail(`array '${s.name}' declared both workgroup and private`);
        if (a) a.size = Math.max(a.size, s.size);
        else this.arrays.set(s.name, { id: this.names.fresh(`${s.name.replace(/[^A-Za-z0-9_]/g, '_')}_a`), type, size: s.size, shared });
      }
    });
  }

  private variable(name: string, t: ValueType): string {
    const id = this.names.variable(name, KernelWriter.key(t));
    if (!this.vars.has(id)) this.x.fail(`variable '${name}' (${wgslType(t)}) used before it is defined`);
    return id;
  }

  private array(name: string): string {
    return this.arrays.get(name)?.id ?? this.x.fail(`array '${name}' used before it is declared`);
  }

  /** The entry point's lines, and a grid kernel's module-scope workgroup arrays. */
  write(): { main: string[]; shared: string[] } {
    const arrays = [...this.arrays.values()];
    // WGSL zero-fills var<workgroup> at each workgroup's start, as the reference does.
    const shared = arrays.filter((a) => a.shared).map((a) => `var<workgroup> ${a.id}: array<${a.type}, ${a.size}>;`);
    const decls = [
      ...[...this.vars.values()].map((v) => `var ${v.id}: ${v.type};`),
      ...arrays.filter((a) => !a.shared).map((a) => `var ${a.id}: array<${a.type}, ${a.size}>;`),
    ];
    const firstArray = new Map<string, Stmt>();
    walkStmts(this.k.body, (s) => { if (s.k === 'array' && !firstArray.has(s.name)) firstArray.set(s.name, s); });
    const body: string[] = [];
    if (this.plan.k === 'grid') this.checkShared();
    this.k.body.forEach((s, i) => {
      if (s.k === 'array' && firstArray.get(s.name) === s) return; // zeroed by its declaration
      if (this.plan.k === 'split' && i === this.plan.at) body.push(...this.parallel(this.plan));
      else body.push(...this.stmt(s));
    });
    return { main: [...decls, ...body], shared };
  }

  /** A grid kernel declares its workgroup arrays once, at its top level (they become module-scope). */
  private checkShared(): void {
    const top = new Set(this.k.body.filter((s) => s.k === 'array'));
    walkStmts(this.k.body, (s) => {
      if (s.k === 'array' && s.scope === 'workgroup' && !top.has(s)) this.x.fail(`workgroup array '${s.name}' declared inside a loop or branch`);
    });
  }

  /** The top-level parallel loop: invocation `idx` runs iteration `idx`. */
  private parallel(p: Extract<Plan, { k: 'split' }>): string[] {
    const v = this.variable(p.loop.var, p.loop.start.type);
    const perRow = p.groups[0] * WORKGROUP;
    const idx = p.groups[1] > 1 ? `i32(gid.x + gid.y * ${perRow}u)` : 'i32(gid.x)';
    const first = p.start === 0 ? '' : `${p.start} + `;
    const iv = p.loop.step === 1 ? 'idx' : `idx * ${p.loop.step}`;
    return [
      `let idx = ${idx};`,
      `if (idx < ${p.count}) {`,
      `  ${v} = ${first}${iv};`,
      ...this.block(p.loop.body),
      '}',
    ];
  }

  private block(stmts: readonly Stmt[]): string[] {
    return stmts.flatMap((s) => this.stmt(s)).map((l) => `  ${l}`);
  }

  /** Lines of statement `s`, preceded by the lets its expressions needed. */
  private stmt(s: Stmt): string[] {
    const x = this.x;
    const outer = x.pending;
    x.pending = [];
    const lines = this.stmtLines(s);
    const pre = x.pending;
    x.pending = outer;
    return [...pre, ...lines];
  }

  private stmtLines(s: Stmt): string[] {
    const x = this.x;
    switch (s.k) {
      case 'let': case 'assign':
        return [`${this.variable(s.name, s.value.type)} = ${x.expr(s.value)};`];
      case 'store': {
        const p = x.param(s.buf);
        const bits = x.storageBits(p.param.dtype, s.value.type.scalar, x.expr(s.value), s.value.type.lanes);
        return storeBits(x, p.region, p.param.dtype, p.base, x.expr(s.index), bits, s.value.type.lanes);
      }
      case 'array': {
        const a = this.arrays.get(s.name)!;
        return a.shared ? [] : [`${a.id} = array<${a.type}, ${a.size}>();`];
      }
      case 'localStore': {
        const a = this.array(s.array);
        const v = x.expr(s.value);
        if (s.value.type.lanes === 1) return [`${a}[${x.expr(s.index)}] = ${v};`];
        const i = x.temp(x.expr(s.index)), t = x.temp(v);
        return [0, 1, 2, 3].map((l) => `${a}[${l ? `${i} + ${l}` : i}] = ${t}.${'xyzw'[l]};`);
      }
      case 'loop': return this.loop(s.loop);
      case 'if': {
        const cond = x.expr(s.cond);
        const then = this.block(s.then), other = this.block(s.else);
        return other.length ? [`if (${cond}) {`, ...then, '} else {', ...other, '}'] : [`if (${cond}) {`, ...then, '}'];
      }
      case 'barrier':
        // A grid kernel's barrier is a workgroup's; WGSL checks that control flow reaching it is uniform.
        return this.plan.k === 'grid' ? ['workgroupBarrier();']
          : ['// barrier: each invocation is a workgroup of its own here (function-scope arrays), so nothing waits'];
      default: return unreachable(s);
    }
  }

  /** Serial, unrolled and nested parallel loops alike: a `for` whose bounds are read once, as the reference reads them. */
  private loop(l: Loop): string[] {
    const x = this.x;
    if (isWide(l.start.type.scalar)) x.fail(`loop '${l.var}' counts in ${l.start.type.scalar} (loops count in 32 bits)`);
    const v = this.variable(l.var, l.start.type);
    const start = x.expr(l.start);
    const end = x.bind(x.expr(l.end));
    const step = l.step === 1 ? `${v} + 1i` : `${v} + ${l.step}i`;
    const mode = l.mode === 'serial' ? '' : ` // ${l.mode}`;
    const loop = [`for (${v} = ${start}; ${v} < ${end}; ${v} = ${step}) {${mode}`, ...this.block(l.body), '}'];
    // A loop that ran to its end leaves its variable at or past the end (kernel IR bodies never assign it).
    return this.report ? [...loop, `if (${v} < ${end}) { ${this.report} } // cut short by the driver`] : loop;
  }
}
