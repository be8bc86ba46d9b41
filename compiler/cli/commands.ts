// The kiln commands: each a summary, its help, its option table and a function. The
// functions live in files of their own and are imported when their command runs, so that
// `kiln --help` loads none of them (and `kiln run` not the wasm compiler). main.ts parses
// the arguments and maps errors to exit codes.
import { backendOption, BENCH_DEFAULTS, type Command, inputOptions, modelOptions, targetOption, wasmOptions } from './options.js';

const ONNX_ABOUT = `FILE is HLO text, or an ONNX model (.onnx).`;

export const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'run a model and print (or write) its outputs',
    args: 'FILE',
    about: `Runs the entry computation of FILE (like XLA's run_hlo_module). ${ONNX_ABOUT} Parameters not given
      with --input get deterministic random values from --random. Outputs print as HLO literals; with --output-dir each
      output is written as a .npy file: <index>.npy for HLO (0.npy for one array; 0.npy, 1.npy ... for a tuple; 1.0.npy
      inside nested tuples), <output name>.npy for ONNX, the name as the model writes it with characters a file name
      cannot hold on Linux, macOS or Windows (/ \\ : * ? " < > | %, control characters) written as %XX.`,
    options: { ...inputOptions, ...backendOption('interpreter'), 'output-dir': { type: 'string', arg: 'DIR', help: 'writes each output as a .npy file in DIR' } },
    run: async (pos, v) => (await import('./run.js')).run(pos, v),
  },
  compare: {
    summary: 'run on a backend and on the interpreter, report max abs/rel error',
    args: 'FILE --backend B',
    about: `Runs FILE on backend B and on the reference interpreter with the same inputs and prints, per output,
      the max absolute and relative error. Exit code 1 when any output is out of tolerance. ${ONNX_ABOUT}`,
    options: { ...inputOptions, ...backendOption() },
    run: async (pos, v) => (await import('./run.js')).compare(pos, v),
  },
  bench: {
    summary: 'time compile, load, first run and steady-state runs of a model',
    args: 'FILE',
    about: `Compiles FILE as 'kiln compile' does, loads the folder through its own model.js and runtime, and
      prints compile ms (passes, lowering, binaryen), load ms (WebAssembly compile and instantiate, and starting worker
      threads), the first run's ms, then the median, p10 and p90 ms of the timed runs. A run includes copying inputs in
      and outputs out. Backend webgpu: compile is passes and lowering, load is rendering the WGSL and creating the
      pipelines in the Deno child that runs WebGPU, a run includes the inputs' and outputs' trip between Node and Deno.
      Backends interpreter and kernels are timed through their prepare() and run(), with no load step.
      ${ONNX_ABOUT}`,
    options: {
      ...inputOptions, ...backendOption('wasm'), ...wasmOptions,
      threads: { type: 'string', arg: 'N', help: 'builds for shared memory and runs on N threads (default 1; wasm only)' },
      reps: { type: 'string', arg: 'N', help: `timed runs (default ${BENCH_DEFAULTS.reps})` },
      warmup: { type: 'string', arg: 'N', help: `untimed runs after the first, before the timed ones (default ${BENCH_DEFAULTS.warmup})` },
      profile: {
        type: 'boolean',
        help: "then builds the model again with a clock tick after every launch, runs it --warmup and --reps times more, and " +
          'prints each kernel: its share, ms and launches per run, schedule, and the HLO instruction it came from, heaviest ' +
          'first, with their sum beside the unprofiled median (wasm, one thread)',
      },
      json: {
        type: 'boolean',
        help: 'prints one JSON object: compileMs, loadMs, firstRunMs, medianMs, p10Ms, p90Ms, minMs, reps, warmup, threads, ' +
          'threadsRequested, backend, fusion, module, file; with --profile, profile: { runs, totalMs, kernelsMedianMs, runMedianMs, rows: [{ kernel, ' +
          'schedule, source, ms, calls, share }] }',
      },
    },
    run: async (pos, v) => (await import('./bench.js')).runBench(pos, v),
  },
  opt: {
    summary: 'parse, verify, optionally optimise, and print a module as HLO text',
    args: 'FILE',
    about: `Parses (or imports) and verifies FILE, runs the passes --passes names in order, verifying after
      each, and prints the result as HLO text. Without --passes the module is printed unchanged. ${ONNX_ABOUT}`,
    options: {
      ...modelOptions,
      passes: { type: 'string', arg: 'NAME,...|default', help: "the passes to run (docs/passes.md); 'default' is the default pipeline" },
      dump: { type: 'string', arg: 'DIR', help: 'writes DIR/00-input.hlo, then DIR/NN-<pass>.hlo after every pass' },
    },
    run: async (pos, v) => (await import('./opt.js')).opt(pos, v),
  },
  compile: {
    summary: 'compile a model into a folder that runs without kiln',
    args: 'FILE -o DIR',
    about: `Compiles FILE through the default passes and lowering for --target (default wasm) and writes DIR/:
      the code (wasm: model.wasm; wgsl: shaders/*.wgsl and weights.bin; cuda: model.cu, model.h, weights.bin and
      model.ptx where nvcc is here), model.json (tensor layout), the runtime (runtime/core and runtime/wasm,
      runtime/webgpu or runtime/cuda), and model.js + model.d.ts, a typed wrapper whose load() and run() know the model's
      input and output names (as the model writes them), dtypes and shapes (wgsl: load(device), a GPUDevice; cuda:
      load() in Node through the NVIDIA driver). The same input always gives the same bytes. ${ONNX_ABOUT}`,
    options: {
      ...modelOptions, ...wasmOptions,
      o: { type: 'string', short: 'o', arg: 'DIR', help: 'the folder to write' },
      ...targetOption,
      threads: { type: 'boolean', help: 'builds for shared memory: the runtime then runs on N threads where the host allows (wasm)' },
      'weights-file': { type: 'boolean', help: 'writes the constants to weights.bin instead of into model.wasm (wasm; wgsl and cuda always do)' },
      arch: { type: 'string', arg: 'sm_NN', help: 'the GPU architecture model.ptx is built for (cuda; default sm_90)' },
      'no-ptx': { type: 'boolean', help: 'writes no model.ptx (cuda; without nvcc on the PATH or in /usr/local/cuda there is none either)' },
    },
    run: async (pos, v) => (await import('./compile.js')).compile(pos, v),
  },
  import: {
    summary: 'import an ONNX model and write it as HLO text',
    args: 'MODEL.onnx -o OUT.hlo',
    about: `Imports MODEL.onnx into kiln's IR, verifies it and writes it as HLO text (for bug reports, golden
      tests and reading what the importer made of a model).`,
    options: { ...modelOptions, o: { type: 'string', short: 'o', arg: 'OUT.hlo', help: 'the file to write' } },
    run: async (pos, v) => (await import('./compile.js')).importOnnx(pos, v),
  },
  'check-onnx': {
    summary: "run ONNX's backend test cases and print which pass",
    args: '[DIR]',
    about: `Runs the cases of ONNX's backend tests (DIR, default Debian's libonnx-testdata: node/,
      pytorch-converted/, pytorch-operator/, simple/) on the interpreter, comparing at rtol 1e-3, atol 1e-7. Prints a
      summary and a table of every case with its status and reason.`,
    options: {
      filter: { type: 'string', arg: 'TEXT', help: 'only the cases whose name contains TEXT' },
      out: { type: 'string', arg: 'FILE', help: 'writes the table (or JSON) to FILE instead of printing it' },
      json: { type: 'boolean', help: 'one JSON array instead of the table' },
    },
    run: async (pos, v) => (await import('./check.js')).checkOnnx(pos, v),
  },
  'check-corpus': {
    summary: 'parse, verify, round-trip and interpret every .hlo file in a folder',
    args: 'DIR',
    about: `For every DIR/*.hlo: parse, print and re-parse (printing must be a fixed point), verify, and run on
      the interpreter with random inputs when the module uses only opcodes and dtypes kiln runs and its estimated work is
      under --max-work. Files listed as TestData in DIR/SOURCES.tsv must print back byte for byte. Exit code 0 when it
      ran.`,
    options: {
      json: { type: 'boolean', help: 'one JSON object instead of the table' },
      'no-interpret': { type: 'boolean', help: 'parses, round-trips and verifies only' },
      'max-work': { type: 'string', arg: 'N', help: 'interprets modules estimated under N element operations (default 1e8)' },
      out: { type: 'string', arg: 'FILE', help: 'writes the table (or JSON) to FILE instead of printing it' },
    },
    run: async (pos, v) => (await import('./check.js')).checkCorpusFolder(pos, v),
  },
};
