// The messages between kiln's Node process and its Deno child (host.ts), which drives
// runtime/webgpu on Deno's WebGPU. A frame is [u32 header bytes][u32 payload bytes]
// [header JSON][payload], little-endian; the payload carries weights, inputs and outputs
// as raw bytes, one blob after another, their lengths in the header. Both sides import
// this file (Deno runs it as TypeScript), so it imports nothing.

export type Request =
  | { readonly id: number; readonly op: 'probe' }
  | { readonly id: number; readonly op: 'load'; readonly manifest: unknown; readonly shaders: Record<string, string> }
  | { readonly id: number; readonly op: 'run'; readonly model: number; readonly inputs: readonly number[] }
  | { readonly id: number; readonly op: 'dispose'; readonly model: number }
  /** Compile each shader (createShaderModule + getCompilationInfo) without running anything. */
  | { readonly id: number; readonly op: 'validate'; readonly shaders: Record<string, string> };

export type Reply =
  | {
    readonly id: number; readonly ok: true; readonly adapter?: string; readonly model?: number; readonly outputs?: readonly number[];
    /** validate: each shader's error and warning messages (none: it compiled cleanly). */
    readonly messages?: Record<string, readonly string[]>;
  }
  | { readonly id: number; readonly ok: false; readonly error: string };

export interface Frame<H> {
  readonly header: H;
  readonly payload: Uint8Array;
}

export function encodeFrame(header: unknown, blobs: readonly Uint8Array[] = []): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const size = blobs.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(8 + h.byteLength + size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, h.byteLength, true);
  dv.setUint32(4, size, true);
  out.set(h, 8);
  let at = 8 + h.byteLength;
  for (const b of blobs) { out.set(b, at); at += b.byteLength; }
  return out;
}

/** Splits a byte stream into frames: push chunks, take the frames completed so far. */
export class FrameReader<H> {
  private chunks: Uint8Array[] = [];
  private size = 0;

  push(chunk: Uint8Array): Frame<H>[] {
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
    const frames: Frame<H>[] = [];
    for (;;) {
      if (this.size < 8) return frames;
      const all = this.flatten();
      const dv = new DataView(all.buffer, all.byteOffset, all.byteLength);
      const hLen = dv.getUint32(0, true), pLen = dv.getUint32(4, true);
      if (all.byteLength < 8 + hLen + pLen) return frames;
      const header = JSON.parse(new TextDecoder().decode(all.subarray(8, 8 + hLen))) as H;
      frames.push({ header, payload: all.slice(8 + hLen, 8 + hLen + pLen) });
      const rest = all.subarray(8 + hLen + pLen);
      this.chunks = rest.byteLength ? [rest] : [];
      this.size = rest.byteLength;
    }
  }

  private flatten(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0];
    const all = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) { all.set(c, at); at += c.byteLength; }
    this.chunks = [all];
    return all;
  }
}

/** The payload cut into blobs of the given lengths. */
export function splitBlobs(payload: Uint8Array, lengths: readonly number[]): Uint8Array[] {
  let at = 0;
  return lengths.map((n) => { const b = payload.subarray(at, at + n); at += n; return b; });
}
