"""PyTorch on one CPU thread: the peer protocol of bench/train/peer.ts, in Python.

Run as /usr/bin/python3 (Debian's python3-torch). Its BLAS is whatever libblas.so.3 the
Debian alternatives point at: install libopenblas0-serial so that is OpenBLAS rather than
the reference BLAS; the result's note names the library the process actually mapped.
The step is eager autograd: zero_grad, forward, loss.backward(), optimizer.step(), with
torch.optim.SGD / torch.optim.Adam. Images go NCHW, conv kernels OIHW; the dense matrices
stay [in, out] (x @ W + b), with fc1's rows reordered from kiln's (h, w, c) flattening to
PyTorch's (c, h, w).
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

a = argparse.ArgumentParser()
for flag in ("fixtures", "model"):
    a.add_argument("--" + flag, required=True)
for flag in ("warmup", "samples", "steps"):
    a.add_argument("--" + flag, type=int, required=True)
args = a.parse_args()

t0 = time.perf_counter()
index = json.load(open(os.path.join(args.fixtures, "index.json")))
spec = index["models"][args.model]


def read(name):
    t = index["tensors"][name]
    dtype = "<f4" if t["dtype"] == "f32" else "<i4"
    return np.fromfile(os.path.join(args.fixtures, t["file"]), dtype=dtype).reshape(t["shape"])


def to_torch(name, a):
    """kiln's layout to PyTorch's."""
    if name.endswith("conv1.w") or name.endswith("conv2.w"):
        a = a.transpose(3, 2, 0, 1)  # HWIO -> OIHW
    elif name == "cnn.fc1.w":
        a = a.reshape(7, 7, 64, 1024).transpose(2, 0, 1, 3).reshape(3136, 1024)  # rows (h,w,c) -> (c,h,w)
    return torch.from_numpy(np.ascontiguousarray(a)).requires_grad_(True)


params = [to_torch(n, read(n)) for n in spec["params"]]
B, nb = spec["batch"], spec["batches"]
images, labels = read("images"), read("labels")
batches = []
for i in range(nb):
    x = images[i * B:(i + 1) * B]
    x = x.reshape(B, 784) if args.model == "softmax" else x.transpose(0, 3, 1, 2)  # NHWC -> NCHW
    batches.append((torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(labels[i * B:(i + 1) * B].astype(np.int64))))


def logits(x):
    if args.model == "softmax":
        w, b = params
        return torch.addmm(b, x, w)
    c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b = params
    h = F.max_pool2d(F.relu(F.conv2d(x, c1w, c1b, padding=2)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, c2w, c2b, padding=2)), 2)
    h = F.relu(torch.addmm(f1b, h.reshape(B, 3136), f1w))
    return torch.addmm(f2b, h, f2w)


o = spec["optimizer"]
if o["kind"] == "adam":
    opt = torch.optim.Adam(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"])
else:
    opt = torch.optim.SGD(params, lr=o["lr"])
count = 0


def step():
    global count
    x, y = batches[count % nb]
    count += 1
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(logits(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def blas():
    """The libblas.so.3 this process mapped (Debian's torch calls BLAS through it), as folder/file."""
    with open("/proc/self/maps") as f:
        for line in f:
            path = os.path.realpath(line.split()[-1])
            if os.path.basename(path).startswith("libblas.so"):
                folder = os.path.basename(os.path.dirname(path))
                kind = "OpenBLAS" if "openblas" in folder else "reference" if folder == "blas" else "other"
                return f"{kind} ({folder}/{os.path.basename(path)})"
    return "none mapped"


setup_ms = (time.perf_counter() - t0) * 1000
losses = []
t = time.perf_counter()
losses.append(step())
first_ms = (time.perf_counter() - t) * 1000
for _ in range(1, args.warmup):
    losses.append(step())
samples = []
for _ in range(args.samples):
    t = time.perf_counter()
    for _ in range(args.steps):
        losses.append(step())
    samples.append((time.perf_counter() - t) * 1000 / args.steps)

conv = ""
if args.model == "cnn":
    conv = ", conv by oneDNN" if torch.backends.mkldnn.is_available() else ", conv by im2col + BLAS"
note = f"PyTorch {torch.__version__} eager, {torch.get_num_threads()} thread, BLAS: {blas()}{conv}"
result = {"peer": "pytorch", "model": args.model, "note": note, "setupMs": setup_ms, "firstStepMs": first_ms, "samples": samples, "losses": losses}
print("RESULT " + json.dumps(result), flush=True)
