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
# erf(a) = T(a - 2.3) on [1, 3.92] (degree 12, absolute error in units of 2^-24, an ulp of
# erf there). T's coefficients are rounded to f32 from the highest down, refitting the
# lower ones after each, so that the rounding of one is absorbed by the rest.
erf = np.vectorize(math.erf)
xa = np.linspace(1e-4, 1, 4000)
ERF_P = lawson(xa, erf(xa) / xa, np.vander(xa * xa, 6, increasing=True), np.ones(len(xa)))
ERF_ONE, ERF_T_MID = f32(3.92), f32(2.3)
xb = np.linspace(1, float(ERF_ONE), 20000)
sb = xb - float(ERF_T_MID)
ERF_T = [None] * 13
for k in range(12, -1, -1):
    free = [j for j in range(13) if ERF_T[j] is None]
    fixed = sum(float(ERF_T[j]) * sb**j for j in range(13) if ERF_T[j] is not None)
    ERF_T[k] = lawson(xb, erf(xb) - fixed, np.vander(sb, 13, increasing=True)[:, free], np.full(len(xb), 2.0**24))[free.index(k)]


def erf32(x):
    a = np.abs(x)
    small = x * horner(ERF_P, x * x)
    large = np.copysign(np.where(a < ERF_ONE, horner(ERF_T, np.minimum(a, ERF_ONE) - ERF_T_MID), f32(1)), x)
    return np.where(a >= f32(1), large, small)


with np.errstate(all="ignore"):
    xe = np.concatenate([np.linspace(-110, 90, 4000001), np.linspace(-2, 2, 1000001)]).astype(f32)
    print("EXP_Q", [float(c) for c in EXP_Q], "LN2_LO", float(LN2_LO))
    print("  exp max ulp", max_ulp(exp32(xe), np.exp(xe.astype(np.float64)).astype(f32)))
    xr = np.concatenate([np.linspace(-4.5, 4.5, 2000001), np.logspace(-30, 0, 20000)]).astype(f32)
    print("ERF_P", [float(c) for c in ERF_P])
    print("ERF_T", [float(c) for c in ERF_T])
    print("  erf max ulp", max_ulp(erf32(xr), erf(xr.astype(np.float64)).astype(f32)))
