// kiln's CPU stand-in for CUDA: generated .cu text compiled by g++ runs every thread of a
// block as a fiber on the CPU (docs/cuda-cpu.md). cuda_runtime.h, cuda_fp16.h and
// cuda_bf16.h in this folder all include this header. C++17, header-only.
#pragma once
#include <math.h>
#include <stdint.h>

#include "kiln_cpu_types.h"
#include "kiln_cpu_half.h"
#include "kiln_cpu_intrinsics.h"
#include "kiln_cpu_runtime.h"
#include "kiln_cpu_launch.h"
