# PyTorch on the GPU at the bench's shapes (bench/cuda/README.md), timed like bench.cu: 3
# warm-up runs, then 10-100 runs (about 0.5 s) each between two CUDA events; median and min.
# Eager mode, f32 matmuls without TF32. One line per model, as bench.cu prints:
#   BENCH torch NAME median_ms=M min_ms=M reps=N rate=R UNIT kernels=0 checksum=S
import math
import sys

import torch
import torch.nn.functional as F


def timed(fn):
    s = torch.cuda.current_stream()
    for _ in range(3):
        out = fn()
    torch.cuda.synchronize()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record(s); fn(); b.record(s); b.synchronize()
    first = a.elapsed_time(b)
    reps = int(min(100, max(10, 500 / max(first, 1e-3))))
    ms = []
    for _ in range(reps):
        a.record(s); out = fn(); b.record(s); b.synchronize()
        ms.append(a.elapsed_time(b))
    ms.sort()
    med = ms[len(ms) // 2] if len(ms) % 2 else 0.5 * (ms[len(ms) // 2 - 1] + ms[len(ms) // 2])
    return med, ms[0], reps, out


def report(name, fn, flops=0.0, nbytes=0.0):
    try:
        with torch.no_grad():
            med, lo, reps, out = timed(fn)
        rate, unit = (flops / (med * 1e6), 'GFLOP/s') if flops else (nbytes / (med * 1e6), 'GB/s')
        print(f'BENCH torch {name} median_ms={med:.4f} min_ms={lo:.4f} reps={reps} rate={rate:.1f} {unit} kernels=0 checksum={float(out.double().sum()):.6e}', flush=True)
    except Exception as e:  # one model failing must not stop the others
        print(f'BENCH torch {name} FAILED {type(e).__name__}: {e}', flush=True)


def main():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = 'cuda'
    print(f'torch {torch.__version__} on {torch.cuda.get_device_name(0)}', flush=True)
    g = torch.Generator(device=dev).manual_seed(0)
    u = lambda *shape, scale=1.0: (torch.rand(*shape, device=dev, generator=g) * 2 - 1) * scale

    n = 4096
    a, b = u(n, n), u(n, n)
    report('matmul-4096', lambda: a @ b, flops=2.0 * n ** 3)
    ah, bh = a.half(), b.half()
    report('matmul-4096-f16', lambda: ah @ bh, flops=2.0 * n ** 3)

    x = u(1024, 784)
    w1, b1, w2, b2 = u(1024, 784, scale=1 / 28), u(1024, scale=0.1), u(10, 1024, scale=1 / 32), u(10, scale=0.1)
    report('mlp-b1024', lambda: F.linear(F.relu(F.linear(x, w1, b1)), w2, b2), flops=2.0 * 1024 * (784 * 1024 + 1024 * 10))

    xi = u(256, 1, 28, 28)
    c1, cb1, c2, cb2 = u(32, 1, 5, 5, scale=0.2), u(32, scale=0.1), u(64, 32, 5, 5, scale=1 / math.sqrt(800)), u(64, scale=0.1)
    f1, fb1, f2, fb2 = u(1024, 3136, scale=1 / 56), u(1024, scale=0.1), u(10, 1024, scale=1 / 32), u(10, scale=0.1)

    def lenet():
        h = F.max_pool2d(F.relu(F.conv2d(xi, c1, cb1, padding=2)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, c2, cb2, padding=2)), 2)
        return F.linear(F.relu(F.linear(h.reshape(256, 3136), f1, fb1)), f2, fb2)
    report('lenet-b256', lenet, flops=2.0 * 256 * (28 * 28 * 32 * 25 + 14 * 14 * 64 * 32 * 25 + 3136 * 1024 + 1024 * 10))

    xc = u(8, 128, 768)
    sc, sb = 1 + u(768, scale=0.1), u(768, scale=0.1)

    def chain():
        h = F.layer_norm(xc, (768,), sc, sb, 1e-5)
        return torch.softmax(0.5 * h * (1 + torch.erf(h / math.sqrt(2))), dim=-1)
    report('chain-8x128x768', chain, nbytes=2 * 4 * 8 * 128 * 768)


if __name__ == '__main__':
    if not torch.cuda.is_available():
        print('torch: no CUDA device', flush=True)
        sys.exit(1)
    main()
