// Direct loop implementations of conv2d and pooling (NHWC input, HWIO kernel) to check nn's against.

export interface ConvCase { strides: [number, number]; pads: [[number, number], [number, number]]; dilation: [number, number]; groups: number }

/** Row-major index of `idx` in an array of `dims`. */
const at = (dims: readonly number[], idx: readonly number[]) => idx.reduce((o, i, d) => o * dims[d] + i, 0);

export function conv2dNHWC(x: Float32Array, xs: number[], w: Float32Array, ws: number[], c: ConvCase): { shape: number[]; values: number[] } {
  const [n, h, wd, ch] = xs, [kh, kw, kin, kout] = ws;
  const ext = [(kh - 1) * c.dilation[0] + 1, (kw - 1) * c.dilation[1] + 1];
  const oh = Math.floor((h + c.pads[0][0] + c.pads[0][1] - ext[0]) / c.strides[0]) + 1;
  const ow = Math.floor((wd + c.pads[1][0] + c.pads[1][1] - ext[1]) / c.strides[1]) + 1;
  const perGroup = kout / c.groups;
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let o = 0; o < kout; o++) {
    const g = Math.floor(o / perGroup);
    let s = 0;
    for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) for (let k = 0; k < kin; k++) {
      const y = i * c.strides[0] + p * c.dilation[0] - c.pads[0][0], z = j * c.strides[1] + q * c.dilation[1] - c.pads[1][0];
      if (y < 0 || y >= h || z < 0 || z >= wd) continue;
      s += x[at(xs, [b, y, z, g * kin + k])] * w[at(ws, [p, q, k, o])];
    }
    out.push(s);
  }
  void ch;
  return { shape: [n, oh, ow, kout], values: out };
}

/** Max or mean pooling; `countPad` divides means by the whole window. */
export function poolNHWC(x: Float32Array, xs: number[], win: [number, number], strides: [number, number], pads: [[number, number], [number, number]], kind: 'max' | 'avg', countPad = true): { shape: number[]; values: number[] } {
  const [n, h, wd, ch] = xs;
  const oh = Math.floor((h + pads[0][0] + pads[0][1] - win[0]) / strides[0]) + 1;
  const ow = Math.floor((wd + pads[1][0] + pads[1][1] - win[1]) / strides[1]) + 1;
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let k = 0; k < ch; k++) {
    let m = -Infinity, s = 0, count = 0;
    for (let p = 0; p < win[0]; p++) for (let q = 0; q < win[1]; q++) {
      const y = i * strides[0] + p - pads[0][0], z = j * strides[1] + q - pads[1][0];
      if (y < 0 || y >= h || z < 0 || z >= wd) continue;
      const v = x[at(xs, [b, y, z, k])];
      m = Math.max(m, v); s += v; count++;
    }
    out.push(kind === 'max' ? m : s / (countPad ? win[0] * win[1] : count));
  }
  return { shape: [n, oh, ow, ch], values: out };
}

/** Deterministic values in (-1, 1) for test inputs. */
export const wavy = (n: number, seed = 1): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + seed) * Math.cos(i * 0.13 * seed));
