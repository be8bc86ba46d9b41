#!/usr/bin/python3
"""Exports the PyTorch models kiln is tested against, with PyTorch's own outputs.

Run with Debian's python3 (python3-torch 1.13, python3-onnx):
    /usr/bin/python3 tests/onnx/pytorch/export.py OUT_DIR
Writes OUT_DIR/<model>/model.onnx, input_N.npy and output_N.npy per model. Seeds are
fixed, so a run reproduces the same weights, inputs and outputs.

For the models in GRAD_MODELS it also writes labels.npy (int32), and PyTorch's value and
gradients of the mean cross-entropy `F.cross_entropy(model(input_0), labels)`, computed in
float64: loss.npy, and grads/<initializer>.npy per parameter under the name of the ONNX
initializer it exports as (the export is checked to hold each parameter as it is).
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import load as load_onnx, numpy_helper

OPSET = 13


class SoftmaxRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 1024)
        self.fc2 = nn.Linear(1024, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class LeNet5(nn.Module):
    """The classic MNIST CNN: conv5x5x32 SAME, ReLU, maxpool 2, conv5x5x64, ReLU, maxpool 2, fc 3136-1024-10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.fc1 = nn.Linear(3136, 1024)
        self.fc2 = nn.Linear(1024, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(x + self.bn2(self.conv2(y)))


class ResNetStack(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.blocks = nn.Sequential(ResBlock(16), ResBlock(16))
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        x = self.blocks(F.relu(self.stem(x)))
        return self.head(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class MobileNetBlock(nn.Module):
    """Depthwise 3x3 (stride 2) + BN + ReLU6, then pointwise 1x1 + BN + ReLU6."""

    def __init__(self):
        super().__init__()
        self.dw = nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.pw = nn.Conv2d(16, 32, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)

    def forward(self, x):
        x = F.relu6(self.bn1(self.dw(x)))
        return F.relu6(self.bn2(self.pw(x)))


class TinyTransformer(nn.Module):
    """One encoder layer (self-attention + feed-forward, post-norm), written out so the
    export is the plain ops a transformer is made of."""

    def __init__(self, d=32, heads=4, ff=64):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, ff)
        self.ff2 = nn.Linear(ff, d)
        self.ln2 = nn.LayerNorm(d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        split = lambda z: z.reshape(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        att = torch.softmax(q @ k.transpose(2, 3) / (d // self.heads) ** 0.5, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = self.ln1(x + self.out(y))
        return self.ln2(x + self.ff2(F.gelu(self.ff1(x))))


class GRUModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(8, 16, batch_first=True)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        y, h = self.gru(x)
        return self.head(y[:, -1])


def randomize_bn(m):
    """Non-trivial running statistics, so BatchNorm is not the identity."""
    g = torch.Generator().manual_seed(7)
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.copy_(torch.randn(mod.num_features, generator=g) * 0.1)
            mod.running_var.copy_(torch.rand(mod.num_features, generator=g) + 0.5)
            mod.weight.data.copy_(torch.rand(mod.num_features, generator=g) + 0.5)
            mod.bias.data.copy_(torch.randn(mod.num_features, generator=g) * 0.1)


MODELS = [
    # name, constructor, input shape, dynamic batch, keep BatchNorm nodes
    ('softmax_regression', SoftmaxRegression, (4, 784), False, False),
    ('mlp', MLP, (64, 784), False, False),
    ('lenet5_b1', LeNet5, (1, 1, 28, 28), False, False),
    ('lenet5_b64', LeNet5, (64, 1, 28, 28), False, False),
    ('resnet_folded', ResNetStack, (2, 3, 16, 16), False, False),
    ('resnet_batchnorm', ResNetStack, (2, 3, 16, 16), False, True),
    ('mobilenet_block', MobileNetBlock, (2, 16, 16, 16), False, True),
    ('transformer_layer', TinyTransformer, (2, 10, 32), False, False),
    ('gru', GRUModel, (3, 5, 8), False, False),
    ('mlp_dynamic_batch', MLP, (5, 784), True, False),
]

# Models whose cross-entropy gradients are written too (their parameters are all initializers).
GRAD_MODELS = {'mlp', 'lenet5_b64'}


def write_grads(d, model, x):
    """labels.npy, loss.npy and grads/<initializer>.npy: the mean cross-entropy's value and
    gradient with respect to every parameter, in float64, keyed by ONNX initializer name."""
    inits = {t.name: numpy_helper.to_array(t) for t in load_onnx(os.path.join(d, 'model.onnx')).graph.initializer}
    params = dict(model.named_parameters())
    if set(params) != set(inits):
        raise SystemExit(f'{d}: initializers {sorted(inits)} are not the parameters {sorted(params)}')
    for name, p in params.items():
        # A folded or transposed initializer would not be this parameter's gradient's shape or values.
        if not np.array_equal(inits[name], p.detach().numpy()):
            raise SystemExit(f'{d}: initializer {name} is not parameter {name} as it is')
    labels = torch.randint(0, model(x).shape[1], (x.shape[0],), generator=torch.Generator().manual_seed(2))
    m64 = model.double()
    loss = F.cross_entropy(m64(x.double()), labels)  # reduction='mean'
    grads = torch.autograd.grad(loss, list(params.values()))
    model.float()
    np.save(os.path.join(d, 'labels.npy'), labels.numpy().astype(np.int32))
    np.save(os.path.join(d, 'loss.npy'), loss.detach().numpy())
    os.makedirs(os.path.join(d, 'grads'), exist_ok=True)
    for name, g in zip(params, grads):
        np.save(os.path.join(d, 'grads', name + '.npy'), g.numpy())


def export(out_dir, name, ctor, shape, dynamic, keep_bn):
    torch.manual_seed(0)
    model = ctor()
    randomize_bn(model)
    model.eval()
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        y = model(x)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    kwargs = {}
    if dynamic:
        kwargs['dynamic_axes'] = {'input': {0: 'batch'}, 'output': {0: 'batch'}}
    torch.onnx.export(
        model, (x,), os.path.join(d, 'model.onnx'), opset_version=OPSET,
        input_names=['input'], output_names=['output'],
        training=torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL,
        do_constant_folding=not keep_bn, **kwargs)
    np.save(os.path.join(d, 'input_0.npy'), x.numpy())
    np.save(os.path.join(d, 'output_0.npy'), y.numpy())
    if name in GRAD_MODELS:
        write_grads(d, model, x)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'models')
    for spec in MODELS:
        export(out_dir, *spec)
        print('exported', spec[0])


if __name__ == '__main__':
    main()
