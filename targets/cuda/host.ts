// The host side of model.cu and its header: `kiln_<id>_create` allocates the two regions
// on the device and uploads the weights once, `kiln_<id>_run` copies the inputs (device
// pointers) into the arena, launches every kernel in order on the caller's stream, reads a
// while loop's predicate or a conditional's index back where the program has control
// flow, and copies the outputs out; `kiln_<id>_destroy` frees. Like tfcompile's generated
// class, a C++ program links it and needs nothing else of kiln.
import { unreachable, type Program, type ProgramBuffer, type Step } from '../../ir/kernel/kernel.js';
import type { CudaArg, CudaStep } from '../../runtime/cuda/manifest.js';
import { STORAGE } from './types.js';

/** A launch as the host performs it: kernel entry, grid, block, and each argument's pointer text. */
export interface HostLaunch {
  readonly entry: string;
  readonly grid: readonly [number, number, number];
  readonly block: readonly [number, number, number];
  /** The pointer casts of each argument (`(const float*)(C + 64)`). */
  readonly args: readonly string[];
}

/** The C text of one argument: region base + offset, cast to the parameter's pointer type. */
export function argText(b: ProgramBuffer, written: boolean): string {
  const base = b.region === 'constants' ? 'C' : 'A';
  return `(${written ? '' : 'const '}${STORAGE[b.dtype]}*)(${base} + ${b.offset})`;
}

export const argOf = (b: ProgramBuffer): CudaArg => ({ region: b.region, offset: b.offset });

/** The steps as C statements (indented by the caller). */
export function stepLines(p: Program, steps: readonly Step[], launch: (s: Extract<Step, { k: 'launch' }>) => HostLaunch): string[] {
  const out: string[] = [];
  for (const s of steps) {
    switch (s.k) {
      case 'launch': {
        const l = launch(s);
        out.push(`KILN_LAUNCH(${l.entry}, dim3(${l.grid.join(', ')}), dim3(${l.block.join(', ')}), stream, ${l.args.join(', ')});`);
        break;
      }
      case 'while':
        out.push('for (;;) {', ...indent(stepLines(p, s.cond, launch)),
          `  KILN_CHECK(kiln_read_control(&control, A + ${bufferOf(p, s.pred).offset}, 1, stream));`,
          '  if (control == 0) break;', ...indent(stepLines(p, s.body, launch)), '}');
        break;
      case 'switch': {
        const b = bufferOf(p, s.index);
        const n = s.branches.length;
        out.push(`KILN_CHECK(kiln_read_control(&control, A + ${b.offset}, ${s.indexType === 'pred' ? 1 : 4}, stream));`);
        // pred: true → branch 0, false → 1; s32: outside [0, N) → the last branch (HLO conditional).
        const pick = s.indexType === 'pred' ? 'control != 0 ? 0 : 1' : `control >= 0 && control < ${n} ? control : ${n - 1}`;
        out.push(`switch (${pick}) {`);
        s.branches.forEach((br, i) => out.push(`  case ${i}: {`, ...indent(indent(stepLines(p, br, launch))), '    break;', '  }'));
        out.push('}');
        break;
      }
      default: unreachable(s);
    }
  }
  return out;
}

/** The steps as the manifest's (runtime/cuda performs the same). */
export function manifestSteps(p: Program, steps: readonly Step[], launch: (s: Extract<Step, { k: 'launch' }>) => { kernel: number; grid: readonly [number, number, number]; block: readonly [number, number, number] }): CudaStep[] {
  return steps.map((s): CudaStep => {
    switch (s.k) {
      case 'launch': {
        const l = launch(s);
        return { k: 'launch', kernel: l.kernel, grid: l.grid, block: l.block, args: s.args.map((id) => argOf(bufferOf(p, id))) };
      }
      case 'while': return { k: 'while', cond: manifestSteps(p, s.cond, launch), pred: bufferOf(p, s.pred).offset, body: manifestSteps(p, s.body, launch) };
      case 'switch': return { k: 'switch', index: bufferOf(p, s.index).offset, indexType: s.indexType, branches: s.branches.map((b) => manifestSteps(p, b, launch)) };
      default: return unreachable(s);
    }
  });
}

export interface HostParts {
  readonly id: string;
  readonly p: Program;
  readonly steps: readonly string[];
  /** Whether any step reads a control value back. */
  readonly control: boolean;
}

/** model.h: the model's C API. */
export function headerText(h: HostParts, inputs: readonly IoDecl[], outputs: readonly IoDecl[], weightsBytes: number): string {
  const { id } = h;
  const guard = `KILN_${id.toUpperCase()}_H`;
  const typed = [...inputs.map((t) => `const ${t.ctype}* ${t.id}`), ...outputs.map((t) => `${t.ctype}* ${t.id}`)];
  const doc = (t: IoDecl, dir: string) => ` *   ${t.id}: ${dir} ${t.dtype}[${t.dims.join(', ')}] (${t.bytes} bytes, device memory)`;
  return `// kiln: the C API of model ${h.p.name} (model.cu holds its kernels and launcher).
#ifndef ${guard}
#define ${guard}
#include <cuda_runtime.h>
#include <stddef.h>
#include <stdint.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of weights.bin, which kiln_${id}_create uploads. */
#define KILN_${id.toUpperCase()}_WEIGHTS_BYTES ${weightsBytes}

typedef struct kiln_${id} kiln_${id};

/** Allocates the model's device memory and uploads its weights (weights.bin's bytes, host memory; NULL when it has none). */
cudaError_t kiln_${id}_create(kiln_${id}** model, const void* weights, size_t weights_bytes);

/**
 * Runs the model on \`stream\`: copies the inputs into its memory, launches its kernels in
 * order, and copies the outputs out. Inputs and outputs are device pointers:
${[...inputs.map((t) => doc(t, 'input')), ...outputs.map((t) => doc(t, 'output'))].join('\n')}
 * Returns when the work is queued${h.control ? ' (this model has control flow: it synchronises the stream to read each branch and loop condition)' : ''}; synchronise the stream before reading the outputs.
 */
cudaError_t kiln_${id}_run(kiln_${id}* model, cudaStream_t stream, ${typed.join(', ')});

/** The same, with inputs and outputs as arrays of device pointers in order (for generic hosts). */
cudaError_t kiln_${id}_run_buffers(kiln_${id}* model, cudaStream_t stream, const void* const* inputs, void* const* outputs);

void kiln_${id}_destroy(kiln_${id}* model);

#ifdef __cplusplus
}
#endif
#endif
`;
}

/** An input or output in the C API. */
export interface IoDecl {
  readonly id: string;
  readonly ctype: string;
  readonly dtype: string;
  readonly dims: readonly number[];
  readonly bytes: number;
  readonly offset: number;
}

/** The host functions at the end of model.cu. */
export function hostText(h: HostParts, inputs: readonly IoDecl[], outputs: readonly IoDecl[], weightsBytes: number): string {
  const { id, p } = h;
  const copyIn = inputs.map((t, i) => `  KILN_CHECK(cudaMemcpyAsync(A + ${t.offset}, inputs[${i}], ${t.bytes}, cudaMemcpyDeviceToDevice, stream));`);
  const copyOut = outputs.map((t, i) => `  KILN_CHECK(cudaMemcpyAsync(outputs[${i}], A + ${t.offset}, ${t.bytes}, cudaMemcpyDeviceToDevice, stream));`);
  const control = h.control ? [
    '/** Reads a loop condition (pred, 1 byte) or a branch index (s32) the kernels before it wrote. */',
    'static cudaError_t kiln_read_control(int* value, const char* at, size_t bytes, cudaStream_t stream) {',
    '  int32_t word = 0;',
    '  cudaError_t e = cudaMemcpyAsync(&word, at, bytes, cudaMemcpyDeviceToHost, stream);',
    '  if (e == cudaSuccess) e = cudaStreamSynchronize(stream);',
    '  *value = bytes == 1 ? (int)(word & 0xff) : (int)word;',
    '  return e;',
    '}',
    '',
  ] : [];
  return `// ---- host: create, run, destroy

struct kiln_${id} {
  char* constants;  // ${p.constantsBytes} bytes: the weights, uploaded once
  char* arena;      // ${p.arenaBytes} bytes: inputs, outputs and intermediates
};

#define KILN_CHECK(call) do { cudaError_t kiln_e = (call); if (kiln_e != cudaSuccess) return kiln_e; } while (0)

${control.join('\n')}extern "C" cudaError_t kiln_${id}_create(kiln_${id}** model, const void* weights, size_t weights_bytes) {
  *model = NULL;
  if (weights_bytes != ${weightsBytes}${weightsBytes > 0 ? ' || weights == NULL' : ''}) return cudaErrorInvalidValue;
  kiln_${id}* m = (kiln_${id}*)calloc(1, sizeof(kiln_${id}));
  if (m == NULL) return cudaErrorMemoryAllocation;
  cudaError_t e = cudaMalloc((void**)&m->arena, ${Math.max(p.arenaBytes, 1)});
${p.constantsBytes > 0 ? `  if (e == cudaSuccess) e = cudaMalloc((void**)&m->constants, ${p.constantsBytes});
  if (e == cudaSuccess) e = cudaMemset(m->constants, 0, ${p.constantsBytes});
` : ''}${weightsBytes > 0 ? `  if (e == cudaSuccess) e = cudaMemcpy(m->constants, weights, ${weightsBytes}, cudaMemcpyHostToDevice);
` : ''}  if (e != cudaSuccess) {
    kiln_${id}_destroy(m);
    return e;
  }
  *model = m;
  return cudaSuccess;
}

extern "C" cudaError_t kiln_${id}_run_buffers(kiln_${id}* m, cudaStream_t stream, const void* const* inputs, void* const* outputs) {
  char* const A = m->arena;
  const char* const C = m->constants;
  (void)C;${h.control ? '\n  int control = 0;' : ''}
${copyIn.join('\n')}
${h.steps.map((l) => `  ${l}`).join('\n')}
  KILN_CHECK(cudaGetLastError());
${copyOut.join('\n')}
  return cudaSuccess;
}

extern "C" cudaError_t kiln_${id}_run(kiln_${id}* m, cudaStream_t stream, ${[...inputs.map((t) => `const ${t.ctype}* ${t.id}`), ...outputs.map((t) => `${t.ctype}* ${t.id}`)].join(', ')}) {
  const void* inputs[] = { ${inputs.map((t) => t.id).join(', ') || 'NULL'} };
  void* outputs[] = { ${outputs.map((t) => t.id).join(', ') || 'NULL'} };
  return kiln_${id}_run_buffers(m, stream, inputs, outputs);
}

extern "C" void kiln_${id}_destroy(kiln_${id}* m) {
  if (m == NULL) return;
  if (m->arena) cudaFree(m->arena);
  if (m->constants) cudaFree(m->constants);
  free(m);
}
`;
}

const indent = (lines: readonly string[]): string[] => lines.map((l) => `  ${l}`);

export const bufferOf = (p: Program, id: number): ProgramBuffer => p.buffers[id] ?? fail(`${p.name}: no buffer ${id}`);

function fail(msg: string): never {
  throw new Error(msg);
}
