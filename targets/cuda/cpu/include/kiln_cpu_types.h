// kiln's CPU stand-in for CUDA: qualifiers and vector types.
//
// Generated .cu text is compiled by g++ against these headers (docs/cuda-cpu.md). Every
// CUDA qualifier becomes plain C++: the whole grid runs on one OS thread, so there is no
// device/host split to keep.
#pragma once
#include <stdint.h>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
// Blocks run one at a time on one OS thread, so a function-static array is exactly the
// running block's shared array. The generated code zero-fills its shared arrays itself.
#define __shared__ static
#define __constant__ static

struct uint3 { unsigned int x, y, z; };
struct int2 { int x, y; };
struct float2 { float x, y; };
struct __attribute__((aligned(16))) float4 { float x, y, z, w; };
struct __attribute__((aligned(16))) int4 { int x, y, z, w; };
struct __attribute__((aligned(16))) uint4 { unsigned int x, y, z, w; };
struct __attribute__((aligned(16))) double2 { double x, y; };

/** CUDA's launch extents: every omitted component is 1. */
struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
  constexpr operator uint3() const { return uint3{x, y, z}; }
};

static inline int2 make_int2(int x, int y) { return int2{x, y}; }
static inline float2 make_float2(float x, float y) { return float2{x, y}; }
static inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
static inline int4 make_int4(int x, int y, int z, int w) { return int4{x, y, z, w}; }
static inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return uint4{x, y, z, w}; }
static inline uint3 make_uint3(unsigned x, unsigned y, unsigned z) { return uint3{x, y, z}; }
static inline double2 make_double2(double x, double y) { return double2{x, y}; }

constexpr int warpSize = 32;
