# Writes the golden cases of the convolution families real networks use (transposed,
# depthwise, grouped) into tests/golden/cases, their expected outputs computed by PyTorch in
# float64 — outside truth, not kiln's output. Run with Debian's python3-torch:
#   /usr/bin/python3 tests/golden/torch_conv_cases.py
# The .hlo and .json files it writes are committed; rerun only to change a case.
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cases')


def values(shape, seed):
    """Deterministic small values with exact f32 representations (multiples of 1/64)."""
    n = int(np.prod(shape))
    return ((np.arange(n) * 7919 + seed * 104729) % 127 - 63).reshape(shape) / 64.0


def literal(a):
    if a.ndim == 0:
        return repr(float(np.float32(a)))
    return '{ ' + ', '.join(literal(x) for x in a) + ' }'


def typed(a):
    return f"f32[{','.join(str(d) for d in a.shape)}] {literal(a)}"


def write(name, hlo, source, inputs, output):
    with open(os.path.join(CASES, f'{name}.hlo'), 'w') as f:
        f.write(hlo)
    case = {'module': f'{name}.hlo', 'source': source, 'inputs': [typed(x) for x in inputs], 'outputs': [typed(output.astype(np.float32))]}
    with open(os.path.join(CASES, f'{name}.json'), 'w') as f:
        json.dump(case, f, indent=1)
        f.write('\n')


def shape(a):
    return f"f32[{','.join(str(d) for d in a.shape)}]"


def module(name, x, w, y, attrs):
    return (f'HloModule {name}\nENTRY main {{\n  x = {shape(x)} parameter(0)\n  w = {shape(w)} parameter(1)\n'
            f'  ROOT y = {shape(y)} convolution(x, w), {attrs}\n}}\n')


def transposed(name, x, wt, stride, pad, out_pad, nhwc=False):
    """ConvTranspose2d/1d as HLO writes it: lhs_dilate = stride, pad K−1−p (+ output_padding high), the kernel reversed with in/out swapped."""
    nsp = x.ndim - 2
    conv = F.conv_transpose1d if nsp == 1 else F.conv_transpose2d
    y = conv(torch.tensor(x), torch.tensor(wt), stride=stride, padding=pad, output_padding=out_pad).numpy()
    k = wt.shape[2:]
    w = np.flip(wt, axis=tuple(range(2, 2 + nsp))).transpose(1, 0, *range(2, 2 + nsp))  # [O, I, spatial...]
    sp = '01'[:nsp]
    window = 'size=' + 'x'.join(str(d) for d in k) + ' pad=' + 'x'.join(f'{d - 1 - pad}_{d - 1 - pad + out_pad}' for d in k) + ' lhs_dilate=' + 'x'.join(str(stride) for _ in k)
    if nhwc:
        x, y = x.transpose(0, *range(2, 2 + nsp), 1), y.transpose(0, *range(2, 2 + nsp), 1)
        w = w.transpose(*range(2, 2 + nsp), 1, 0)  # [spatial..., I, O]
        labels = f'b{sp}f_{sp}io->b{sp}f'
    else:
        labels = f'bf{sp}_oi{sp}->bf{sp}'
    src = f'PyTorch conv_transpose{nsp}d (float64), stride {stride}, padding {pad}, output_padding {out_pad}'
    write(name, module(name, x, w, y, f'window={{{window}}}, dim_labels={labels}'), src, [x, np.ascontiguousarray(w)], y)


def grouped(name, x, w, stride, pad, groups, nhwc=False):
    y = F.conv2d(torch.tensor(x), torch.tensor(w), stride=stride, padding=pad, groups=groups).numpy()
    k = w.shape[2:]
    window = 'size=' + 'x'.join(str(d) for d in k) + ' pad=' + 'x'.join(f'{pad}_{pad}' for _ in k)
    if stride != 1:
        window += ' stride=' + 'x'.join(str(stride) for _ in k)
    if nhwc:
        x, y, w = x.transpose(0, 2, 3, 1), y.transpose(0, 2, 3, 1), w.transpose(2, 3, 1, 0)
        labels = 'b01f_01io->b01f'
    else:
        labels = 'bf01_oi01->bf01'
    src = f'PyTorch conv2d (float64), stride {stride}, padding {pad}, groups {groups}'
    attrs = f'window={{{window}}}, dim_labels={labels}, feature_group_count={groups}'
    write(name, module(name, x, w, y, attrs), src, [np.ascontiguousarray(x), np.ascontiguousarray(w)], y)


def main():
    torch.set_default_dtype(torch.float64)
    transposed('conv_transposed_2x2_s2', values((1, 3, 4, 5), 1), values((3, 4, 2, 2), 2), 2, 0, 0)
    transposed('conv_transposed_3x3_s2_outpad', values((1, 2, 5, 6), 3), values((2, 5, 3, 3), 4), 2, 1, 1)
    transposed('conv_transposed_4x4_s2_nhwc', values((1, 3, 3, 4), 5), values((3, 4, 4, 4), 6), 2, 1, 0, nhwc=True)
    transposed('conv_transposed_1d_s3', values((2, 3, 5), 7), values((3, 2, 2), 8), 3, 0, 1)
    grouped('conv_depthwise_3x3', values((1, 6, 5, 9), 9), values((6, 1, 3, 3), 10), 1, 1, 6)
    grouped('conv_depthwise_5x5_s2', values((1, 4, 9, 11), 11), values((4, 1, 5, 5), 12), 2, 2, 4)
    grouped('conv_depthwise_multiplier', values((2, 3, 6, 7), 13), values((6, 1, 3, 3), 14), 1, 1, 3)
    grouped('conv_grouped_g2', values((1, 8, 5, 10), 15), values((8, 4, 3, 3), 16), 1, 1, 2)
    grouped('conv_grouped_nhwc', values((1, 6, 5, 6), 17), values((6, 2, 3, 3), 18), 1, 1, 3, nhwc=True)
    grouped('conv_depthwise_nhwc_3x3', values((2, 6, 5, 7), 19), values((6, 1, 3, 3), 20), 1, 1, 6, nhwc=True)
    grouped('conv_depthwise_nhwc_5x5_s2', values((1, 9, 9, 11), 21), values((9, 1, 5, 5), 22), 2, 2, 9, nhwc=True)


if __name__ == '__main__':
    main()
