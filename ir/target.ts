// A target, described: what the machine can do, how far it goes, the schedules its
// kernels want and what it wants of the HLO before lowering. Data only, so that the
// pipeline and lowering (passes/) read it without importing any target: the driver picks
// a description (compiler/targets.ts), each target owns its own (targets/wasm/target.ts),
// and nothing below the driver asks which target it is. Lives in ir/ because passes/ and
// targets/ both read it and ir/ is what they share (docs/lowering.md, "Targets are descriptions").

/** What a target's kernels can compute. */
export interface TargetCapabilities {
  /**
   * Lanes of the vectors kernels compute in: 4 (128-bit SIMD, WGSL's vec4, CUDA's float4)
   * or 1 (scalar code only). Lowering vectorises minor dims and picks tiled templates by it.
   */
  readonly vectorLanes: 1 | 4;
  /** s64/u64 arithmetic (WGSL has none: the renderer refuses or emulates them). */
  readonly int64: boolean;
  /** f64 arithmetic. */
  readonly float64: boolean;
  /** f16 arithmetic, not only storage (every target stores f16 as bits and may compute it in f32). */
  readonly f16: boolean;
  /** Subgroup (warp, wave) operations: shuffles and reductions across invocations. */
  readonly subgroups: boolean;
}

/** How far a target goes. Numbers, with Infinity where the target sets no bound. */
export interface TargetLimits {
  /** Invocations in one workgroup (a GPU's; a CPU thread runs one iteration at a time: 1). */
  readonly maxWorkgroupInvocations: number;
  /** Memory a workgroup's invocations share (`var<workgroup>`, `__shared__`); 0 where there is none. */
  readonly workgroupMemoryBytes: number;
  /** Buffers one kernel may bind (WebGPU's maxStorageBuffersPerShaderStage). */
  readonly maxStorageBindings: number;
  /** Bytes of one bound buffer (WebGPU's maxStorageBufferBindingSize). */
  readonly maxBindingBytes: number;
  /** Bytes a whole program may use: its constants and its arena. */
  readonly maxMemoryBytes: number;
  /** Why maxMemoryBytes is what it is, for the error that refuses a larger program. */
  readonly maxMemoryReason: string;
}

/**
 * A tiled dot's schedule (passes/lower/tiled_dot.ts): register tile mr × nr, cache blocks
 * mc × kc of A and kc × nc of B, B packed into panels (1) or read in place (0). A kernel's
 * `schedule` records the one it ran with.
 */
export interface DotSchedule {
  readonly mr: number;
  readonly nr: number;
  readonly mc: number;
  readonly kc: number;
  readonly nc: number;
  readonly pack: number;
}

/** A tiled convolution's schedule (passes/lower/tiled_conv.ts). */
export interface ConvSchedule {
  /** Register tile of the spatial and feature modes: rows (splatted) × columns (a multiple of 4, in vectors). */
  readonly mr: number;
  readonly nr: number;
  /** Register tile of planar mode: positions (splatted) × output features (a multiple of 4). */
  readonly pmr: number;
  readonly pnr: number;
  /** Planar mode: 1 where it applies and wastes fewer lanes than spatial mode, 0 never, 2 wherever it applies. */
  readonly planar: number;
}

/**
 * A CPU's schedules: register tiles and cache blocks, and one parallel loop per kernel
 * whose iterations the runtime splits over threads.
 */
export interface CpuSchedule {
  readonly kind: 'cpu';
  /** The tiled dot's defaults; dotSchedule fits them to each dot's sizes. */
  readonly dot: DotSchedule;
  /** K block of a dot whose M fits one row tile and whose B rows are contiguous: B streams in this many rows at once. */
  readonly gemvKc: number;
  readonly conv: ConvSchedule;
  /** A loop kernel with fewer rows than this splits its minor dim into chunks of about `chunk`, so threads have work to share. */
  readonly minRows: number;
  readonly chunk: number;
  /** Pooling (tiled_window.ts): window positions unrolled into straight-line code up to this many; more run as loops. */
  readonly windowUnroll: number;
}

/**
 * A GPU's schedules: workgroups over a launch grid. GPU templates in lowering will read
 * these; until they exist, lowering under a GPU schedule makes plain loop kernels (no
 * CPU register tiles, packed panels or row chunks), which a renderer maps one parallel
 * iteration to one invocation, `workgroupSize` of them to a workgroup.
 */
export interface GpuSchedule {
  readonly kind: 'gpu';
  /** Invocations per workgroup of a kernel's parallel loop (at most limits.maxWorkgroupInvocations). */
  readonly workgroupSize: number;
  /**
   * Invocations that share one row of a reduction or a row fusion (gpu_reduce.ts, gpu_row.ts),
   * before gpu_row.ts widens a launch of few rows. Small: a CPU adapter (SwiftShader, lavapipe)
   * pays for every invocation of a workgroup at each barrier of the tree, and a row of a few
   * thousand elements keeps 16 invocations busy on a GPU too.
   */
  readonly rowWidth: number;
  /**
   * A tiled dot's workgroup tile: tileM × tileN outputs per workgroup, K in steps of tileK
   * staged in workgroup memory (tileK · (tileM + tileN) · 4 bytes ≤ limits.workgroupMemoryBytes).
   */
  readonly dot: { readonly tileM: number; readonly tileN: number; readonly tileK: number };
}

export type TargetSchedule = CpuSchedule | GpuSchedule;

/** What a target wants of the HLO before lowering; passes/pipeline.ts turns it into passes. */
export interface HloPreferences {
  /** Convolution padding as an explicit `pad` (conv-padding), so tiled convolutions read without bounds checks. */
  readonly explicitConvPadding: boolean;
  /** Convolution kernels: 'hwio' (conv-layout, for the CPU planar and feature modes' vector loads of output features; feature-mode inputs NHWC too) or as given. */
  readonly convKernelLayout: 'hwio' | 'as-given';
  /** Row fusion (kRow: a row's reductions with their producers and consumers in one kernel), where the target has a row kernel that gains from it. */
  readonly rowFusion: boolean;
}

export interface TargetDescription {
  /** The target's name as `--target` spells it. */
  readonly name: string;
  readonly capabilities: TargetCapabilities;
  readonly limits: TargetLimits;
  readonly schedule: TargetSchedule;
  readonly hlo: HloPreferences;
}

/** The CPU schedule of a target that has one: the CPU templates (register tiles, row chunks) apply only then. */
export const cpuSchedule = (t: TargetDescription): CpuSchedule | undefined => (t.schedule.kind === 'cpu' ? t.schedule : undefined);
