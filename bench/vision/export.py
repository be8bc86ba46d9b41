#!/usr/bin/python3
"""Exports the vision benchmark networks and single-op cases, with PyTorch's own outputs.

Run with Debian's python3 (python3-torch 1.13, python3-torchvision 0.14, python3-onnx):
    /usr/bin/python3 bench/vision/export.py OUT_DIR
Writes OUT_DIR/<name>/model.onnx, input_0.npy and output_0.npy per case: batch 1, opset 17,
input `input`, output `output`. Seeds are fixed, so a run reproduces the same files.

Random weights give useless outputs (a MobileNet's logits come out ~1e-9, which makes an
absolute tolerance vacuous), so every network is calibrated first: its BatchNorms collect
running statistics of random batches in train mode, and its last layer is rescaled so the
test input's outputs have a standard deviation of about 1.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as tvm

OPSET = 17
CALIBRATION_BATCHES = 4
CALIBRATION_BATCH_SIZE = 8


class UNetDecoder(nn.Module):
    """A small U-Net: four strided convs down to 16x16, then back up to 256x256 by
    ConvTranspose 2x2 stride 2, nearest and bilinear Resize, each joined to its encoder
    level by a skip concatenation; a 1x1 conv makes the 1-channel map."""

    def __init__(self):
        super().__init__()
        widths = [16, 24, 32, 48, 64]
        self.enc = nn.ModuleList([block(3, widths[0], 1)] + [block(a, b, 2) for a, b in zip(widths, widths[1:])])
        self.up3 = nn.ConvTranspose2d(64, 48, 2, stride=2)
        self.dec3 = block(48 + 48, 48, 1)
        self.dec2 = block(48 + 32, 32, 1)
        self.dec1 = block(32 + 24, 24, 1)
        self.up0 = nn.ConvTranspose2d(24, 16, 2, stride=2)
        self.dec0 = block(16 + 16, 16, 1)
        self.head = nn.Conv2d(16, 1, 1)

    def forward(self, x):
        skips = []
        for layer in self.enc:
            x = layer(x)
            skips.append(x)
        e0, e1, e2, e3, x = skips
        x = self.dec3(torch.cat([self.up3(x), e3], 1))
        x = self.dec2(torch.cat([F.interpolate(x, scale_factor=2, mode='nearest'), e2], 1))
        x = self.dec1(torch.cat([F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False), e1], 1))
        x = self.dec0(torch.cat([self.up0(x), e0], 1))
        return self.head(x)


def block(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def last_layer(model):
    """The layer whose scale sets the output's: the final Linear, or the final conv."""
    if isinstance(model, tvm.SqueezeNet):
        return model.classifier[1]  # conv, then ReLU and average pooling: both commute with a positive scale
    if isinstance(model, UNetDecoder):
        return model.head
    return [m for m in model.modules() if isinstance(m, nn.Linear)][-1]


def calibrate(model, shape, x):
    """BatchNorm statistics from random batches, then outputs on `x` of std ~1."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.momentum = None  # a cumulative average over the calibration batches
        bn.reset_running_stats()
    model.train()
    with torch.no_grad():
        for _ in range(CALIBRATION_BATCHES):
            model(torch.randn(CALIBRATION_BATCH_SIZE, *shape[1:]))
    model.eval()
    layer = last_layer(model)
    with torch.no_grad():
        std = model(x).std().item()
        layer.weight /= std
        if layer.bias is not None:
            layer.bias /= std


NETWORKS = [
    ('mobilenet_v2', lambda: tvm.mobilenet_v2(weights=None), [1, 3, 224, 224]),
    ('mobilenet_v3_small', lambda: tvm.mobilenet_v3_small(weights=None), [1, 3, 224, 224]),
    ('resnet18', lambda: tvm.resnet18(weights=None), [1, 3, 224, 224]),
    ('squeezenet1_1', lambda: tvm.squeezenet1_1(weights=None), [1, 3, 224, 224]),
    ('shufflenet_v2_x1_0', lambda: tvm.shufflenet_v2_x1_0(weights=None), [1, 3, 224, 224]),
    ('efficientnet_b0', lambda: tvm.efficientnet_b0(weights=None), [1, 3, 224, 224]),
    ('unet_decoder', UNetDecoder, [1, 3, 256, 256]),
]

# The single ops of issue 15's table (shapes NCHW): a U-Net decoder's upsampling and the
# depthwise convolutions on maps of two or three rows, where a row-tiled kernel has no rows.
SINGLE_OPS = [
    ('op_convtranspose_40to24', lambda: nn.ConvTranspose2d(40, 24, 2, stride=2), [1, 40, 24, 40]),
    ('op_convtranspose_24to1', lambda: nn.ConvTranspose2d(24, 1, 2, stride=2), [1, 24, 24, 40]),
    ('op_depthwise5x5_3rows', lambda: nn.Conv2d(96, 96, 5, padding=2, groups=96), [1, 96, 3, 80]),
    ('op_depthwise5x5_2rows', lambda: nn.Conv2d(96, 96, 5, padding=2, groups=96), [1, 96, 2, 80]),
    ('op_depthwise3x3', lambda: nn.Conv2d(96, 96, 3, padding=1, groups=96), [1, 96, 48, 80]),
    ('op_conv3x3_32', lambda: nn.Conv2d(32, 32, 3, padding=1), [1, 32, 48, 80]),
]


def export(out_dir, name, model, x):
    with torch.no_grad():
        y = model(x)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    torch.onnx.export(model, (x,), os.path.join(d, 'model.onnx'), opset_version=OPSET,
                      input_names=['input'], output_names=['output'], do_constant_folding=True)
    np.save(os.path.join(d, 'input_0.npy'), x.numpy())
    np.save(os.path.join(d, 'output_0.npy'), y.numpy())
    print(f'exported {name}: output {list(y.shape)}, std {y.std().item():.3g}', flush=True)


def main():
    out_dir = sys.argv[1]
    for name, ctor, shape in NETWORKS:
        torch.manual_seed(0)
        model = ctor()
        x = torch.randn(*shape, generator=torch.Generator().manual_seed(1))
        calibrate(model, shape, x)
        export(out_dir, name, model, x)
    for name, ctor, shape in SINGLE_OPS:
        torch.manual_seed(0)
        model = ctor().eval()
        x = torch.randn(*shape, generator=torch.Generator().manual_seed(1))
        export(out_dir, name, model, x)


if __name__ == '__main__':
    main()
