#!/usr/bin/env python3
# Fits the polynomial coefficients of targets/wasm/math_f32.ts and checks them in
# simulated f32 arithmetic (numpy float32 rounds every operation as wasm does; wasm has
# no fused multiply-add). Run: /usr/bin/python3 targets/wasm/fit_f32_math.py
# Needs numpy. Fitting is iteratively reweighted least squares (Lawson), which tends to
# the minimax polynomial; the printed "max ulp" is against the correctly rounded result.
import math
import numpy as np

f32 = np.float32


def lawson(xs, target, A, weight, iters=80):
    w = np.ones(len(xs))
    for _ in range(iters):
        W = np.sqrt(w) * weight
        c, *_ = np.linalg.lstsq(A * W[:, None], target * W, rcond=None)
        err = np.abs((A @ c - target) * weight)
        w = w * err
        w /= w.sum()
    return [f32(v) for v in c]


def horner(c, t):
    acc = np.full_like(t, c[-1])
    for k in range(len(c) - 2, -1, -1):
        acc = acc * t + c[k]
    return acc


def max_ulp(got, want):
    g, w = got.view(np.int32).astype(np.int64), want.view(np.int32).astype(np.int64)
    return int(np.abs(np.where(g < 0, -(g & 0x7FFFFFFF), g) - np.where(w < 0, -(w & 0x7FFFFFFF), w)).max())


# exp(r) = 1 + r + r^2 Q(r) on |r| <= ln2/2, Q of degree 4, relative error.
h = math.log(2) / 2 * 1.01
r = np.linspace(-h, h, 20001)
r = r[r != 0]
EXP_Q = lawson(r, (np.expm1(r) - r) / (r * r), np.vander(r, 5, increasing=True), r * r / np.exp(r))
LN2_HI, LN2_LO, LOG2E = f32(0.693359375), f32(math.log(2) - 0.693359375), f32(1 / math.log(2))


def exp32(x):
    x = np.clip(x, f32(-104), f32(89))
    k = np.rint(x * LOG2E)
    r = (x - k * LN2_HI) - k * LN2_LO
    p = horner(EXP_Q, r) * r * r + r + f32(1)
    k1 = np.rint(k * f32(0.5))
    scale = lambda e: ((e.astype(np.int32) + 127) << 23).view(f32)
    return p * scale(k1) * scale(k - k1)


# erf(x) = x P(x^2) on |x| < 1 (degree 5 in x^2, relative error);
# erfc(x) = exp(-x^2) R(1/x) on [1, 4] (degree 6, error relative to erf(x)).
erf, erfc = np.vectorize(math.erf), np.vectorize(math.erfc)
xa = np.linspace(1e-4, 1, 4000)
ERF_P = lawson(xa, erf(xa) / xa, np.vander(xa * xa, 6, increasing=True), np.ones(len(xa)))
xb = np.linspace(1, 4, 4000)
ERF_R = lawson(xb, erfc(xb) * np.exp(xb * xb), np.vander(1 / xb, 7, increasing=True), np.exp(-xb * xb) / erf(xb))


def erf32(x):
    a = np.minimum(np.abs(x), f32(4))
    small = x * horner(ERF_P, x * x)
    tail = f32(1) - exp32(-(a * a)) * horner(ERF_R, f32(1) / np.maximum(a, f32(1)))
    large = np.copysign(np.where(a < f32(3.92), tail, f32(1)), x)
    return np.where(a >= f32(1), large, small)


with np.errstate(all="ignore"):
    xe = np.concatenate([np.linspace(-110, 90, 4000001), np.linspace(-2, 2, 1000001)]).astype(f32)
    print("EXP_Q", [float(c) for c in EXP_Q], "LN2_LO", float(LN2_LO))
    print("  exp max ulp", max_ulp(exp32(xe), np.exp(xe.astype(np.float64)).astype(f32)))
    xr = np.concatenate([np.linspace(-4.5, 4.5, 2000001), np.logspace(-30, 0, 20000)]).astype(f32)
    print("ERF_P", [float(c) for c in ERF_P])
    print("ERF_R", [float(c) for c in ERF_R])
    print("  erf max ulp", max_ulp(erf32(xr), erf(xr.astype(np.float64)).astype(f32)))
