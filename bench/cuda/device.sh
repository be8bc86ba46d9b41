#!/usr/bin/env bash
# kiln's CUDA check on a GPU machine (bench/cuda/README.md). Run from the repository root with
# bench/cuda/pack/ present (node --import ./bin/register.mjs bench/cuda/prepare.ts makes it; the
# device tool carries it). Needs no node, no network and installs nothing: nvcc builds the
# golden cases and the PyTorch-exported models, runs each, runs compute-sanitizer memcheck and
# racecheck over a sample, times the bench models, cuBLAS and (if importable) PyTorch.
# Writes $OUT/report.txt and $OUT/outputs.tar (outputs + logs); check.ts reads both.
#
# KILN_DEVICE_DRY=1: no GPU. g++ builds the same sources against kiln's CUDA emulation
# headers (targets/cuda/cpu/include), the golden and PyTorch suites run on the CPU, and
# everything that needs a GPU (nvidia-smi, sanitizers, the bench, cuBLAS, PyTorch) is
# skipped with a line saying so. OUT defaults to bench/out/cuda-device.
set -u
export LC_ALL=C
ROOT=$(pwd)
export PACK=${PACK:-$ROOT/bench/cuda/pack}
export DRY=${KILN_DEVICE_DRY:-0}
export CPU_INCLUDE=$ROOT/targets/cuda/cpu/include
J=$(nproc 2>/dev/null || echo 4)
export SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

# ---- building: each model.cu its own translation unit (every symbol a model exports is
# extern "C" and carries its id), compiled in parallel; then the driver, which includes each
# model.h. g++ against the emulation headers in a dry run, nvcc otherwise. -------------------
compile_one() { # SRC OBJ [FLAGS...]
  local src=$1 obj=$2; shift 2
  if [ "$DRY" = 1 ]; then g++ -std=c++17 -O1 -fwrapv -I "$CPU_INCLUDE" "$@" -x c++ -c "$src" -o "$obj"
  else "$NVCC" -O3 -arch=sm_90 -fmad=false "$@" -c "$src" -o "$obj"; fi
}
link_exe() { # EXE DRIVER [FLAGS... OBJS...]
  local exe=$1 drv=$2; shift 2
  if [ "$DRY" = 1 ]; then g++ -std=c++17 -O1 -fwrapv -I "$CPU_INCLUDE" -x c++ "$drv" -x none "$@" -o "$exe"
  else "$NVCC" -O3 -arch=sm_90 -fmad=false "$drv" "$@" -o "$exe"; fi
}
# build_suite SUITE DRIVER TSV EXE [FLAGS...]: the models TSV lists (third column: folder), linked with DRIVER.
build_suite() {
  local suite=$1 driver=$2 tsv=$3 exe=$4; shift 4
  local objs=$exe.objs dirs d list=()
  mkdir -p "$objs"
  dirs=$(cut -f3 "$tsv")
  [ -n "$dirs" ] || { echo "no models in $tsv"; return 1; }
  printf '%s\n' $dirs | xargs -P "$J" -I{} bash "$SELF" __call compile_one "$PACK/$suite/{}/model.cu" "$objs/{}.o" "$@" || { echo "a model did not compile"; return 1; }
  for d in $dirs; do list+=("$objs/$d.o"); done
  link_exe "$exe" "$PACK/$suite/$driver" "$@" "${list[@]}"
}
cublas_build() { # EXE
  "$NVCC" -O3 -arch=sm_90 -I "$PACK" "$PACK/cublas.cu" -lcublas -o "$1" && return 0
  # cuBLAS from the pip wheel PyTorch uses, when the toolkit has none.
  local d lib
  d=$("$PYTHON" -c 'import nvidia.cublas as c; print(list(c.__path__)[0])' 2>/dev/null) || return 1
  lib=$(ls "$d"/lib/libcublas.so* 2>/dev/null | head -1)
  [ -n "$lib" ] || return 1
  echo "cuBLAS from $d"
  "$NVCC" -O3 -arch=sm_90 -I "$PACK" -I "$d/include" "$PACK/cublas.cu" "$lib" -Xlinker -rpath="$d/lib" -o "$1"
}
# `device.sh __call FUNCTION ARGS...`: how timeout and xargs run the functions above.
if [ "${1:-}" = __call ]; then shift; "$@"; exit $?; fi

OUT=${OUT:-$ROOT/bench/out/cuda-device}
START=$(date +%s)
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiln-device.XXXXXX")
RES=$WORK/res
LOGS=$RES/logs
mkdir -p "$RES/golden" "$RES/pytorch" "$LOGS" "$WORK/build"
REPORT=$OUT/report.txt
: >"$REPORT"
: >"$WORK/empty.bin"

say() { echo "$*" | tee -a "$REPORT"; }
elapsed() { echo $(($(date +%s) - START)); }
# step NAME SECONDS CMD...: CMD (a program, or `fn` for a function above) under timeout, its
# output in logs/NAME.log; reports rc and seconds, and the log's head when it failed.
step() {
  local name=$1 secs=$2; shift 2
  local t0 rc
  [ "$1" = fn ] && { shift; set -- bash "$SELF" __call "$@"; }
  t0=$(date +%s)
  timeout -k 5 "$secs" "$@" >"$LOGS/$name.log" 2>&1
  rc=$?
  say "STEP $name rc=$rc secs=$(($(date +%s) - t0))$([ $rc = 124 ] && echo ' TIMED OUT')"
  if [ $rc != 0 ]; then sed -n '1,25p' "$LOGS/$name.log" | sed 's/^/  | /' | tee -a "$REPORT"; fi
  return $rc
}

say "kiln device check, $(date -u +%Y-%m-%dT%H:%M:%SZ), dry=$DRY, $(uname -srm), $J cpus"
say "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ ! -f "$PACK/golden/cases.tsv" ]; then
  say "FATAL no $PACK/golden/cases.tsv: run bench/cuda/prepare.ts here first and carry bench/cuda/pack"
  exit 2
fi

# ---- tools ------------------------------------------------------------------------------
find_tool() { # NAME: on the PATH, else in the usual CUDA folders
  command -v "$1" 2>/dev/null && return 0
  local d
  for d in /usr/local/cuda/bin /usr/local/cuda/compute-sanitizer /usr/local/cuda-*/bin /usr/local/cuda-*/compute-sanitizer; do
    [ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
  done
  return 1
}
export NVCC="" SANITIZER="" PYTHON=""
CAN_BUILD=1
if [ "$DRY" = 1 ]; then
  say "SKIP nvidia-smi: dry run (no GPU)"
  if command -v g++ >/dev/null; then say "TOOL g++: $(g++ --version 2>&1 | head -1)"; else say "MISSING g++: nothing can be built"; CAN_BUILD=0; fi
else
  if command -v nvidia-smi >/dev/null; then
    say "GPU $(nvidia-smi -L 2>&1 | head -4 | tr '\n' ' ')"
    say "GPU $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv,noheader 2>&1 | head -2 | tr '\n' ' ')"
  else
    say "MISSING nvidia-smi"
  fi
  NVCC=$(find_tool nvcc) && say "TOOL nvcc: $NVCC: $("$NVCC" --version 2>&1 | grep -i release | head -1)" || { say "MISSING nvcc: nothing can be built"; CAN_BUILD=0; }
  SANITIZER=$(find_tool compute-sanitizer) && say "TOOL compute-sanitizer: $SANITIZER: $("$SANITIZER" --version 2>&1 | grep -i version | head -1)" || say "MISSING compute-sanitizer"
fi
PYTHON=$(command -v python3 || true)
if [ -n "$PYTHON" ]; then say "TOOL python3: $PYTHON: $("$PYTHON" --version 2>&1)"; else say "MISSING python3"; fi

# ---- the golden cases and the PyTorch models: one process per model ------------------------
# run_suite SUITE EXE: outputs to res/SUITE/NAME.bin.
run_suite() {
  local suite=$1 exe=$2 ok=0 bad=0 idx name dir w in rc t0
  while IFS=$'\t' read -r idx name dir w in; do
    [ -z "$idx" ] && continue
    if [ "$(elapsed)" -gt 240 ]; then say "CASE $suite $name SKIPPED: past the script's time budget"; bad=$((bad + 1)); continue; fi
    [ "$w" = - ] && w=$WORK/empty.bin || w=$PACK/$suite/$w
    t0=$(date +%s%N)
    timeout -k 5 120 "$exe" "$idx" "$w" "$PACK/$suite/$in" "$RES/$suite/$name.bin" </dev/null >"$LOGS/$suite-$name.log" 2>&1
    rc=$?
    say "CASE $suite $name rc=$rc ms=$((($(date +%s%N) - t0) / 1000000))"
    if [ $rc = 0 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); sed -n '1,10p' "$LOGS/$suite-$name.log" | sed 's/^/  | /' | tee -a "$REPORT"; fi
  done <"$PACK/$suite/cases.tsv"
  say "SUITE $suite ran=$ok failed=$bad"
}

for suite in golden pytorch; do
  if [ ! -s "$PACK/$suite/cases.tsv" ]; then say "SKIP $suite: the pack has no $suite models"; continue; fi
  if [ $CAN_BUILD = 0 ]; then say "SKIP $suite: no compiler"; continue; fi
  if step "build-$suite" 300 fn build_suite "$suite" models.cu "$PACK/$suite/cases.tsv" "$WORK/build/$suite"; then
    run_suite "$suite" "$WORK/build/$suite"
  else
    say "SKIP run-$suite: the build failed"
  fi
done

# ---- the bench: kiln, cuBLAS, PyTorch ------------------------------------------------------
if [ "$DRY" = 1 ]; then
  say "SKIP bench, cuBLAS, PyTorch: dry run (no GPU)"
else
  awk '{print NR-1 "\t" $1 "\t" $1}' "$PACK/bench/models.txt" >"$WORK/bench.tsv"
  if [ $CAN_BUILD = 1 ] && step build-bench 240 fn build_suite bench bench.cu "$WORK/bench.tsv" "$WORK/build/bench" -I "$PACK/bench"; then
    step bench 180 "$WORK/build/bench" "$PACK/bench"
    grep '^BENCH' "$LOGS/bench.log" | tee -a "$REPORT"
  else
    say "SKIP bench: no nvcc or the build failed"
  fi
  if [ $CAN_BUILD = 1 ] && step build-cublas 120 fn cublas_build "$WORK/build/cublas"; then
    step cublas 120 "$WORK/build/cublas"
    grep '^BENCH' "$LOGS/cublas.log" | tee -a "$REPORT"
  else
    say "SKIP cuBLAS: no nvcc or no cuBLAS (headers and library)"
  fi
  if [ -n "$PYTHON" ] && timeout 90 "$PYTHON" -c 'import torch; assert torch.cuda.is_available()' >"$LOGS/torch-import.log" 2>&1; then
    PYTHONUNBUFFERED=1 step torch 180 "$PYTHON" "$PACK/torch_bench.py"
    grep -E '^(BENCH|torch )' "$LOGS/torch.log" | tee -a "$REPORT"
  else
    say "SKIP PyTorch: python3 -c 'import torch' failed or sees no GPU: $(tail -1 "$LOGS/torch-import.log" 2>/dev/null)"
  fi
fi

# ---- compute-sanitizer over a sample of golden cases (built with -lineinfo) ---------------
if [ "$DRY" = 1 ]; then
  say "SKIP sanitizers: dry run (no GPU)"
elif [ -z "$SANITIZER" ] || [ $CAN_BUILD = 0 ]; then
  say "SKIP sanitizers: no compute-sanitizer or no nvcc"
elif step build-sample 240 fn build_suite golden sample.cu "$PACK/golden/sample.tsv" "$WORK/build/sample" -lineinfo; then
  for tool in memcheck racecheck; do
    while IFS=$'\t' read -r idx name dir w in; do
      [ -z "$idx" ] && continue
      if [ "$(elapsed)" -gt 420 ]; then say "SANITIZER $tool $name SKIPPED: past the script's time budget"; continue; fi
      [ "$w" = - ] && w=$WORK/empty.bin || w=$PACK/golden/$w
      timeout -k 5 60 "$SANITIZER" --tool "$tool" --error-exitcode 9 --print-limit 20 \
        "$WORK/build/sample" "$idx" "$w" "$PACK/golden/$in" "$WORK/sanitized.bin" </dev/null >"$LOGS/$tool-$name.log" 2>&1
      rc=$?
      summary=$(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$LOGS/$tool-$name.log" | tail -1 | sed 's/^========= //')
      say "SANITIZER $tool $name rc=$rc ${summary:-no summary line}"
      [ $rc != 0 ] && sed -n '1,15p' "$LOGS/$tool-$name.log" | sed 's/^/  | /' | tee -a "$REPORT"
    done <"$PACK/golden/sample.tsv"
  done
else
  say "SKIP sanitizers: the sample build failed"
fi

say "DONE secs=$(elapsed)"
cp "$REPORT" "$RES/report.txt"
tar -cf "$OUT/outputs.tar" -C "$WORK" res && say "TAR outputs.tar $(du -k "$OUT/outputs.tar" | cut -f1) KiB"
rm -rf "$WORK"
