#!/usr/bin/python3
"""Exports PyTorch recurrent models whose forward branches and loops at run time.

Run with Debian's python3 (python3-torch 1.13, python3-onnx):
    /usr/bin/python3 tests/onnx/pytorch/export_control.py OUT_DIR
Writes OUT_DIR/<model>/model.onnx and, per case, case_N/input_K.npy and
case_N/output_0.npy: one case per path through the branches. Seeds are fixed.

- branchy_lstm: an nn.LSTM whose post-processing branches on an int input and on the
  state's values, If nodes nested 3 deep.
- looped_cell: an nn.LSTMCell stepped by a Python for loop (an ONNX Loop) that halves
  the state whenever it grows past a threshold (an If inside the Loop's body).

torch.onnx.export traces a plain module, and tracing bakes in the branch the example
input takes. Scripting (torch.jit.script) keeps Python's `if` as prim::If, which the
exporter (torch 1.13, opset 13, the TorchScript exporter) turns into ONNX If nodes.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

OPSET = 13
HIDDEN = 8
FEATURES = 4
STEPS = 5


class BranchyLSTM(nn.Module):
    """An LSTM whose post-processing depends on a rate-like int and on the state's values.

    `rate` picks a path (two levels of If on an input scalar); inside, the size of the
    final hidden state picks another (an If on a value computed at run time), and the
    loudest path nests a third level. Every leaf computes something different, so a
    wrong branch gives a wrong answer.
    """

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(FEATURES, HIDDEN, batch_first=True)
        self.fast = nn.Linear(HIDDEN, 3)
        self.slow = nn.Linear(HIDDEN, 3)

    def forward(self, x: torch.Tensor, rate: torch.Tensor, threshold: torch.Tensor) -> torch.Tensor:
        out, (h, c) = self.lstm(x)
        h = h[0]
        if rate > 16000:
            if h.abs().max() > threshold:
                y = self.fast(h) * 2.0
                if c.abs().sum() > threshold * 10.0:
                    y = y - c[0, :, :3]
            else:
                y = self.fast(torch.tanh(out[:, -1]))
        else:
            if rate > 8000:
                y = self.slow(h) + 1.0
            else:
                y = self.slow(out.mean(dim=1)) - h.sum(dim=1, keepdim=True)
        return y


class LoopedCell(nn.Module):
    """An LSTMCell over time steps, its state halved whenever max|h| exceeds threshold."""

    def __init__(self):
        super().__init__()
        self.cell = nn.LSTMCell(FEATURES, HIDDEN)
        self.out = nn.Linear(HIDDEN, 3)

    def forward(self, x: torch.Tensor, threshold: torch.Tensor) -> torch.Tensor:
        h = torch.zeros(x.size(0), self.out.in_features)  # script mode reads no globals
        c = torch.zeros_like(h)
        for t in range(x.size(1)):
            h, c = self.cell(x[:, t], (h, c))
            if h.abs().max() > threshold:
                h = h * 0.5
        return self.out(h)


def count_ifs(graph):
    """How many If nodes a graph holds, and how deep they nest."""
    total, depth = 0, 0
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                t, d = count_ifs(attr.g)
                total += t
                depth = max(depth, d)
        if node.op_type == 'If':
            total += 1
    return total, depth + (1 if any(n.op_type == 'If' for n in graph.node) else 0)


def cases(model, x):
    """(rate, threshold) pairs that take each of the five leaves, from this input's state.

    The middle leaf needs max|h| > t >= sum|c| / 10; the thresholds are placed from the
    state PyTorch computes, and the script stops if this input leaves no room for it.
    """
    with torch.no_grad():
        _, (h, c) = model.lstm(x)
    hmax, csum = h.abs().max().item(), c.abs().sum().item()
    if not csum / 10.0 < hmax:
        raise SystemExit(f'no threshold takes the middle leaf: max|h| {hmax}, sum|c|/10 {csum / 10.0}')
    return [(44100, 0.01), (44100, (hmax + csum / 10.0) / 2.0), (44100, 10.0), (11025, 0.0), (4000, 0.0)]


def export(out_dir, name, eager, example, input_names, cases):
    """Scripts and exports one model, then saves PyTorch's output for each case's inputs."""
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    model = torch.jit.script(eager)
    path = os.path.join(d, 'model.onnx')
    torch.onnx.export(model, example, path, opset_version=OPSET, input_names=input_names, output_names=['y'])
    outputs = []
    for k, inputs in enumerate(cases):
        cd = os.path.join(d, f'case_{k}')
        os.makedirs(cd, exist_ok=True)
        with torch.no_grad():
            y = model(*inputs).detach()
        outputs.append(y)
        for i, t in enumerate(inputs):
            np.save(os.path.join(cd, f'input_{i}.npy'), t.numpy())
        np.save(os.path.join(cd, 'output_0.npy'), y.numpy())
    # Each path computes something else: equal outputs would mean two cases took one path.
    for i in range(len(outputs)):
        for j in range(i):
            if torch.allclose(outputs[i], outputs[j]):
                raise SystemExit(f'{name}: cases {j} and {i} give the same output: they take the same path')
    return onnx.load(path).graph


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__)
    x = torch.randn(1, STEPS, FEATURES, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(0)
    eager = BranchyLSTM().eval()
    inputs = [(x, torch.tensor(rate), torch.tensor(t, dtype=torch.float32)) for rate, t in cases(eager, x)]
    g = export(out_dir, 'branchy_lstm', eager, inputs[0], ['x', 'rate', 'threshold'], inputs)
    ifs, depth = count_ifs(g)
    if ifs < 4 or depth < 3:
        raise SystemExit(f'expected at least 4 If nodes nested 3 deep, got {ifs} nested {depth}')
    print(f'exported branchy_lstm: {ifs} If nodes nested {depth} deep, {len(inputs)} cases')

    torch.manual_seed(0)
    xs = torch.randn(2, STEPS, FEATURES, generator=torch.Generator().manual_seed(2))
    inputs = [(xs, torch.tensor(t)) for t in (0.05, 0.35, 10.0)]  # halves at every step, at some, never
    g = export(out_dir, 'looped_cell', LoopedCell().eval(), inputs[0], ['x', 'threshold'], inputs)
    loops = [n for n in g.node if n.op_type == 'Loop']
    if len(loops) != 1 or count_ifs(loops[0].attribute[0].g)[0] != 1:
        raise SystemExit('expected one Loop with an If in its body')
    print(f'exported looped_cell: a Loop with an If in its body, {len(inputs)} cases')


if __name__ == '__main__':
    main()
