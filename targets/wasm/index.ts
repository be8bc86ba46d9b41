// targets/wasm: a kernel-IR Program → one wasm module (binaryen, v128 SIMD) + its manifest.
//
// The module imports its memory (`env.memory`) so that a runtime can share one memory
// between worker threads, and exports `run()` and `run_thread(tid, nthreads)`. Memory
// layout and the threading rule are in docs/kernel-ir.md; the manifest type is the
// runtime's own (runtime/wasm/manifest.ts), imported as a type only.
import binaryen from 'binaryen';
import type { Expr, Launch, Program, ProgramIO } from '../../ir/kernel/kernel.js';
import { renderSteps } from './steps.js';
import { stmtExprs, walkExpr, walkStmts } from '../../ir/kernel/walk.js';
import type { WasmManifest, WasmMemoryLayout, WasmTensor } from '../../runtime/wasm/manifest.js';
import { withDataSegment } from './data_section.js';
import { emitKernel, planKernel } from './kernel.js';
import { Lib, type X } from './lib.js';
import { NotSupported, Ops } from './ops.js';
import { importProfileTick, PROFILE_START, profileTick } from './profile.js';
import { constantsImage } from '../constants_image.js';

export type { WasmManifest } from '../../runtime/wasm/manifest.js';
export { NotSupported } from './ops.js';
export { PROFILE_START, PROFILE_TICK } from './profile.js';

export interface WasmOptions {
  /** Shared memory + atomics, so a runtime may run the module on several threads. */
  readonly shared?: boolean;
  /** What binaryen does to the module (default 'cleanup'): see WasmOptimize. */
  readonly optimize?: WasmOptimize;
  /** Put constants in the module (default true); otherwise `weights` holds them. */
  readonly embedConstants?: boolean;
  /**
   * Use relaxed SIMD (default false): a dot's or a convolution's f32x4 multiply-add
   * becomes one f32x4.relaxed_madd, an fma on CPUs that have one. Engines without relaxed
   * SIMD refuse such a module; runtime/wasm's hasRelaxedSimd() says which a host is.
   */
  readonly relaxedSimd?: boolean;
  /**
   * A profiled build (default false): the module also imports `env.profile_tick(site)` and
   * calls it at the start of a run and after every launch (targets/wasm/profile.ts);
   * `profileSites` says which kernel each site launches. For measuring, not for shipping.
   */
  readonly profile?: boolean;
}

/**
 * - 'none': the module as emitted.
 * - 'cleanup' (default): a few cheap binaryen passes that shrink the code by 10–20%.
 * - 'full': binaryen's -O3.
 *
 * Why not -O3 by default: V8 (TurboFan) compiles the kernels as fast with or without it.
 * Measured on LeNet-5, the MLP, matmul 1024 and the LayerNorm+GELU+softmax chain, -O3
 * changed no runtime beyond noise except the chain's, which it slowed by 20%. It costs
 * 0.5–1 s on a first compile in a process, where binaryen's own code is not yet optimised
 * (cleanup costs about 0.25 s there, 0.04 s after).
 * The kernels do not rely on binaryen to inline anything: addresses are constants and
 * integer division by constants is emitted in place.
 */
export type WasmOptimize = 'none' | 'cleanup' | 'full';

/**
 * The passes of 'cleanup': fold single-use locals into their use and reuse the rest. On
 * LeNet-5 they take the code from 16.5 to 13.7 KB; the branch, block and peephole passes
 * of -O1 took off another 0.3 KB for twice the time.
 */
const CLEANUP_PASSES = ['simplify-locals', 'coalesce-locals', 'reorder-locals', 'vacuum'];

export interface WasmArtifact {
  readonly wasm: Uint8Array;
  readonly manifest: WasmManifest;
  /** The constants region image, when constants are not embedded. */
  readonly weights?: Uint8Array;
  /** A profiled build's launch sites: the kernel (index in Program.kernels) of each site, by the ordinal its tick passes. */
  readonly profileSites?: readonly number[];
}

const SCRATCH_BYTES = 1024;
const ALIGN = 64;
const PAGE = 65536;
const MAX_PAGES = 65536;
const BARRIER = { count: 0, generation: 4, abort: 8 };
const align = (n: number, a = ALIGN): number => Math.ceil(n / a) * a;

export function memoryLayout(p: Program, frameBytes: number, embedded: boolean): WasmMemoryLayout {
  const constantsOffset = align(SCRATCH_BYTES);
  const arenaOffset = align(constantsOffset + p.constantsBytes);
  const stackOffset = align(arenaOffset + p.arenaBytes);
  return {
    scratchBytes: SCRATCH_BYTES, constantsOffset, constantsBytes: p.constantsBytes, constantsEmbedded: embedded,
    arenaOffset, arenaBytes: p.arenaBytes, stackOffset, stackBytesPerThread: frameBytes, barrier: BARRIER,
  };
}

/** Whether a relaxed-SIMD build of `p` differs: it has an f32x4 muladd to fuse. */
export function gainsFromRelaxedSimd(p: Program): boolean {
  let found = false;
  const visit = (e: Expr) => { if (e.k === 'muladd' && e.type.lanes === 4 && e.type.scalar === 'f32') found = true; };
  for (const k of p.kernels) walkStmts(k.body, (s) => stmtExprs(s).forEach((e) => walkExpr(e, visit)));
  return found;
}

export function compileWasm(p: Program, opts: WasmOptions = {}): WasmArtifact {
  const art = build(p, opts);
  return art ?? (build(p, { ...opts, optimize: 'none' }) as WasmArtifact);
}

function build(p: Program, opts: WasmOptions): WasmArtifact | undefined {
  let optimizerFailed = false;
  const shared = opts.shared ?? false;
  const embed = opts.embedConstants ?? true;
  const relaxedSimd = opts.relaxedSimd ?? false;
  const plans = p.kernels.map(planKernel);
  const frameBytes = align(Math.max(0, ...plans.map((k) => k.frameBytes)), 16);
  const layout = memoryLayout(p, frameBytes, embed);
  const address = (id: number): number => {
    const b = p.buffers[id];
    if (!b) throw new Error(`${p.name}: no buffer ${id}`);
    return (b.region === 'constants' ? layout.constantsOffset : layout.arenaOffset) + b.offset;
  };

  const m = new binaryen.Module();
  try {
    let features = binaryen.Features.SIMD128 | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt | binaryen.Features.NontrappingFPToInt
      | binaryen.Features.SignExt | binaryen.Features.MutableGlobals;
    if (shared) features |= binaryen.Features.Atomics;
    if (relaxedSimd) features |= binaryen.Features.RelaxedSIMD;
    m.setFeatures(features);

    const pages = Math.max(1, Math.ceil((layout.stackOffset + frameBytes) / PAGE));
    // wasm32 addresses 65,536 pages (4 GiB); the driver refuses bigger programs first, this keeps binaryen from ever seeing one.
    if (pages > MAX_PAGES)
      throw new NotSupported(`${p.name}: needs ${pages} pages of linear memory (${layout.stackOffset + frameBytes} bytes); wasm32 holds at most ${MAX_PAGES} (4 GiB)`);
    m.setMemory(pages, shared ? 65536 : -1, null, [], shared, false, 'mem');
    m.addMemoryImport('mem', 'env', 'memory', shared);

    const lib = new Lib(m);
    const ops = new Ops(lib);
    // A function per distinct (kernel, buffers) launch: the same kernel on other buffers is
    // another function, with other constant addresses.
    const fnOfLaunch = new Map<string, string>();
    const launchFunction = (l: Launch): string => {
      const k = p.kernels[l.kernel];
      if (!k) throw new Error(`${p.name}: launch of missing kernel ${l.kernel}`);
      if (l.args.length !== k.params.length) throw new Error(`${p.name}: ${k.name} takes ${k.params.length} buffers, launch passes ${l.args.length}`);
      const key = `${l.kernel}:${l.args.join(',')}`;
      let name = fnOfLaunch.get(key);
      if (!name) {
        name = kernelName(fnOfLaunch.size, k.name);
        fnOfLaunch.set(key, name);
        emitKernel(ops, k, name, plans[l.kernel], { stackOffset: layout.stackOffset, frameBytes, addresses: l.args.map(address), shared, relaxedSimd });
      }
      return name;
    };

    const I = binaryen.i32;
    const tid = () => m.local.get(0, I), n = () => m.local.get(1, I);
    if (shared) defineBarrier(m);
    const sites: number[] = [];
    if (opts.profile) importProfileTick(m);
    const tick = opts.profile ? (l: Launch): X => profileTick(m, sites.push(l.kernel) - 1, shared, tid) : undefined;
    const start = opts.profile ? [profileTick(m, PROFILE_START, shared, tid)] : [];
    const steps = renderSteps(m, p.steps, { shared, launch: launchFunction, address, tid, n, tick });
    // Non-shared builds run everything on thread 0: other threads have nothing to do.
    const body = shared ? [...start, ...steps] : [m.if(tid(), m.return()), ...start, ...steps];
    m.addFunction('run_thread', binaryen.createType([I, I]), binaryen.none, [I], m.block(null, body, binaryen.none));
    m.addFunction('run', binaryen.none, binaryen.none, [], m.call('run_thread', [m.i32.const(0), m.i32.const(1)], binaryen.none));
    m.addFunctionExport('run_thread', 'run_thread');
    m.addFunctionExport('run', 'run');

    if (!m.validate()) throw new Error(`${p.name}: binaryen rejected the generated module`);
    const level = opts.optimize ?? 'cleanup';
    if (level !== 'none') {
      binaryen.setOptimizeLevel(3);
      binaryen.setShrinkLevel(0);
      try {
        if (level === 'full') {
          // Kernels are called once each from run_thread: inlining them all into it only
          // makes one huge function to optimise again. Small helpers (fmod, pow) still inline.
          binaryen.setOneCallerInlineMaxSize(15);
          m.optimize();
        } else m.runPasses(CLEANUP_PASSES);
      } catch {
        // binaryen 132's optimizer asserts on a few valid modules (seen: pow with a
        // constant vector exponent, in its interpreter's precompute). The unoptimised
        // module is valid and computes the same, so build that instead.
        optimizerFailed = true;
      }
    }
    if (optimizerFailed) return undefined;
    const code = m.emitBinary();
    const image = constantsImage(p);
    const wasm = embed && image ? withDataSegment(code, layout.constantsOffset, image) : code;

    const tensor = (io: ProgramIO): WasmTensor => {
      const b = p.buffers[io.buffer];
      const t = { name: io.name, dtype: b.dtype, dims: [...b.dims], offset: address(b.id), bytes: b.bytes };
      return io.aliases === undefined ? t : { ...t, aliases: io.aliases };
    };
    const manifest: WasmManifest = {
      format: 'kiln-wasm/1', name: p.name, shared, memory: layout,
      inputs: p.inputs.map(tensor), outputs: p.outputs.map(tensor),
    };
    const art: WasmArtifact = embed ? { wasm, manifest } : { wasm, manifest, weights: image ?? new Uint8Array(p.constantsBytes) };
    return opts.profile ? { ...art, profileSites: sites } : art;
  } finally {
    m.dispose();
  }
}

const kernelName = (i: number, name: string): string => `k${i}_${name.replace(/[^A-Za-z0-9_.]/g, '_')}`;

/**
 * A generation barrier on words in the scratch area. Spins with atomic loads (the browser
 * main thread may not block in memory.atomic.wait). Returns 1 if another thread aborted.
 */
function defineBarrier(m: binaryen.Module): void {
  const I = binaryen.i32;
  const n = () => m.local.get(0, I), gen = () => m.local.get(1, I);
  const at = (addr: number) => m.i32.const(addr);
  m.addFunction('barrier', I, I, [I], m.block(null, [
    m.local.set(1, m.i32.atomic.load(0, at(BARRIER.generation))),
    m.if(m.i32.eq(m.i32.atomic.rmw.add(0, at(BARRIER.count), m.i32.const(1)), m.i32.sub(n(), m.i32.const(1))),
      m.block(null, [
        m.i32.atomic.store(0, at(BARRIER.count), m.i32.const(0)),
        m.drop(m.i32.atomic.rmw.add(0, at(BARRIER.generation), m.i32.const(1))),
        m.return(m.i32.const(0)),
      ])),
    m.loop('spin', m.block(null, [
      m.if(m.i32.atomic.load(0, at(BARRIER.abort)), m.return(m.i32.const(1))),
      m.br('spin', m.i32.eq(m.i32.atomic.load(0, at(BARRIER.generation)), gen())),
    ])),
    m.i32.const(0),
  ], I));
}
