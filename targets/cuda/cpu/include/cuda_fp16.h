// kiln's CPU stand-in for <cuda_fp16.h>: everything is in kiln_cuda_cpu.h.
#pragma once
#include "kiln_cuda_cpu.h"
