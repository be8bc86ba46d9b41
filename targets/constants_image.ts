// The constants region of a program as one byte image (the weights file every target
// writes, or the wasm module's data segment): each constant's bytes at its offset.
import type { Program } from '../ir/kernel/kernel.js';

/** The image, `bytes` long (at least the region's size), or undefined when no constant has data. */
export function constantsImage(p: Program, bytes = p.constantsBytes): Uint8Array | undefined {
  const constants = p.buffers.filter((b) => b.region === 'constants' && b.data && b.data.length > 0);
  if (constants.length === 0) return undefined;
  const image = new Uint8Array(Math.max(bytes, p.constantsBytes));
  for (const b of constants) image.set(b.data!, b.offset);
  return image;
}
