// The kiln commands. Each is a name, a help text, its options (node:util parseArgs
// config) and a function; main.ts does argument parsing and error-to-exit-code mapping.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { elementCount, shapeToString } from '../../ir/shape.js';
import { printModule } from '../../ir/print.js';
import { literalToString } from '../../ir/print_literal.js';
import type { Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { DEFAULT_PIPELINE, PASSES, resolvePasses, runPasses, UnknownPassError } from '../../passes/pipeline.js';
import { findBackend, interpreterBackend, UsageError } from '../backend.js';
import { compareLiterals, leavesOf } from '../compare.js';
import { canonicalFiles, checkCorpus } from '../corpus.js';
import { loadModel } from '../load.js';
import { listCases, ONNX_TESTDATA, runCase, type CaseResult } from '../onnx_backend_tests.js';
import { benchCommand } from './bench.js';
import { entryInputs, writeOutputs } from './inputs.js';
import { binaryenFlag, BINARYEN_USAGE, type Command, ensureAvailable, inputOptions, loadOptions, MODEL_USAGE, modelOptions, one, RELAXED_SIMD_USAGE, seedOf } from './options.js';
import { conformanceTable, corpusTable } from './report.js';

export type { Command } from './options.js';

export const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'run a module and print (or write) its outputs',
    usage: `kiln run FILE [--backend interpreter] [--input NAME=PATH.npy ...] [--random SEED] [--output-dir DIR]

  Runs the entry computation of FILE (HLO text). Each --input gives one parameter by
  name or number as a NumPy .npy file; every other parameter gets deterministic random
  values from SEED (default 0): floats in [-1,1), signed ints in [-8,8), unsigned in [0,16).
  Outputs are printed as HLO literals; with --output-dir each output leaf is written as
  <index>.npy (0.npy for a single array, 0.npy 1.npy ... for a tuple, 1.0.npy when nested),
  or <output name>.npy for ONNX models.
${MODEL_USAGE}`,
    options: { ...inputOptions, backend: { type: 'string' }, 'output-dir': { type: 'string' } },
    async run(pos, v) {
      const { module: m, outputNames } = loadModel(one(pos, 'module file'), loadOptions(v));
      const backend = findBackend((v.backend as string) ?? 'interpreter');
      await ensureAvailable(backend.name);
      const result = await (await backend.prepare(m)).run(entryInputs(m, (v.input as string[]) ?? [], seedOf(v)));
      if (v['output-dir']) {
        for (const f of writeOutputs(v['output-dir'] as string, result, outputNames)) console.log(f);
      } else printResult(result);
      return 0;
    },
  },
  compare: {
    summary: 'run on a backend and on the interpreter, report max abs/rel error',
    usage: `kiln compare FILE --backend B [--input NAME=PATH.npy ...] [--random SEED]

  Runs FILE on backend B and on the reference interpreter with the same inputs and
  prints, per output, the max absolute and relative error and the tolerance used.
  Exit code 1 when any output is out of tolerance.
${MODEL_USAGE}`,
    options: { ...inputOptions, backend: { type: 'string' } },
    async run(pos, v) {
      if (!v.backend) throw new UsageError('compare needs --backend');
      const m = loadModel(one(pos, 'module file'), loadOptions(v)).module;
      const backend = findBackend(v.backend as string);
      await ensureAvailable(backend.name);
      const args = entryInputs(m, (v.input as string[]) ?? [], seedOf(v));
      const expected = await (await interpreterBackend.prepare(m)).run(args);
      const actual = await (await backend.prepare(m)).run(args);
      const diffs = compareLiterals(actual, expected);
      for (const d of diffs) {
        const what = d.mismatch ?? `max abs ${d.maxAbs.toExponential(3)}  max rel ${d.maxRel.toExponential(3)}  ${d.bad} out of tolerance`;
        console.log(`output ${d.index || '0'} ${d.shape}: ${what}  ${d.ok ? 'ok' : 'FAIL'}`);
      }
      return diffs.every((d) => d.ok) ? 0 : 1;
    },
  },
  bench: benchCommand,
  opt: {
    summary: 'parse, verify, optionally optimise, and print a module as HLO text',
    usage: `kiln opt FILE [--passes NAME,NAME,...|default] [--dump DIR]

  Parses (or imports) and verifies FILE, runs the passes named by --passes in order
  (${Object.keys(PASSES).join(', ')}; 'default' is ${DEFAULT_PIPELINE.join(', ')}),
  verifying after each, and prints the result as HLO text on stdout. Without --passes
  the module is printed unchanged. --dump DIR writes DIR/00-input.hlo and then
  DIR/NN-<pass>.hlo after every pass.
${MODEL_USAGE}`,
    options: { ...modelOptions, passes: { type: 'string' }, dump: { type: 'string' } },
    async run(pos, v) {
      const m = loadModel(one(pos, 'module file'), loadOptions(v)).module;
      let names: string[] = [];
      if (v.passes !== undefined) {
        try {
          names = resolvePasses(v.passes as string);
        } catch (e) {
          if (e instanceof UnknownPassError) throw new UsageError(`--passes: ${e.message}`);
          throw e;
        }
      }
      const dir = v.dump as string | undefined;
      const width = Math.max(2, String(names.length).length);
      const dump = (k: number, what: string, x: Module) => {
        if (dir) writeFileSync(join(dir, `${String(k).padStart(width, '0')}-${what}.hlo`), printModule(x));
      };
      if (dir) mkdirSync(dir, { recursive: true });
      dump(0, 'input', m);
      let k = 0;
      process.stdout.write(printModule(runPasses(m, names, (name, x) => dump(++k, name, x))));
      return 0;
    },
  },
  compile: {
    summary: 'compile a model into a folder that runs without kiln',
    usage: `kiln compile FILE --target wasm -o DIR [--threads] [--weights-file] [--relaxed-simd] [--no-fusion] [--binaryen LEVEL]

  Compiles FILE (HLO text or ONNX) through the default passes and lowering to
  WebAssembly SIMD and writes DIR/: model.wasm, model.json (tensor layout), the
  runtime (runtime/index.js), and model.js + model.d.ts, a typed wrapper whose load()
  and run() know the model's input and output names, dtypes and shapes. --threads
  builds for shared memory (the runtime then runs on N threads where the host allows);
  --weights-file writes the constants to weights.bin instead of into model.wasm.
  The same input always gives the same bytes.
${RELAXED_SIMD_USAGE}
${BINARYEN_USAGE}
${MODEL_USAGE}`,
    options: {
      ...modelOptions, target: { type: 'string' }, o: { type: 'string', short: 'o' },
      threads: { type: 'boolean' }, 'weights-file': { type: 'boolean' }, 'relaxed-simd': { type: 'boolean' }, 'no-fusion': { type: 'boolean' },
      binaryen: { type: 'string' },
    },
    async run(pos, v) {
      const file = one(pos, 'model file');
      if ((v.target ?? 'wasm') !== 'wasm') throw new UsageError(`--target: only 'wasm' is built so far, got '${String(v.target)}'`);
      if (!v.o) throw new UsageError('compile needs -o DIR');
      const { module: m, outputNames } = loadModel(file, loadOptions(v));
      // Imported here, not at the top: artifact.ts loads binaryen and TypeScript (see backend.ts).
      const { buildArtifact, writeArtifact } = await import('../artifact.js');
      const t0 = performance.now();
      const art = buildArtifact(m, {
        threads: v.threads === true, embedWeights: v['weights-file'] !== true, relaxedSimd: v['relaxed-simd'] === true,
        fusion: v['no-fusion'] !== true, outputNames, binaryen: binaryenFlag(v),
      });
      const ms = performance.now() - t0;
      const dir = v.o as string;
      writeArtifact(art, dir);
      console.log(`${dir}: ${[...art.files.keys()].join(', ')}; code ${art.codeBytes} bytes without weights; compiled in ${ms.toFixed(0)} ms`);
      return 0;
    },
  },
  import: {
    summary: 'import an ONNX model and write it as HLO text',
    usage: `kiln import MODEL.onnx -o OUT.hlo [--shape NAME=DIMS ...] [--dim SYMBOL=N ...] [--weights-as-params]

  Imports MODEL.onnx into kiln's IR, verifies it and writes it as HLO text (for bug
  reports, golden tests and reading what the importer made of a model).
${MODEL_USAGE}`,
    options: { ...modelOptions, o: { type: 'string', short: 'o' } },
    async run(pos, v) {
      const file = one(pos, 'ONNX model');
      if (!file.endsWith('.onnx')) throw new UsageError(`import reads .onnx files, got '${file}'`);
      if (!v.o) throw new UsageError('import needs -o OUT.hlo');
      writeFileSync(v.o as string, printModule(loadModel(file, loadOptions(v)).module));
      return 0;
    },
  },
  'check-onnx': {
    summary: "run ONNX's backend test cases and print which pass",
    usage: `kiln check-onnx [DIR] [--filter TEXT] [--out FILE] [--json]

  Runs the cases of ONNX's backend tests (DIR, default ${ONNX_TESTDATA}, as Debian's
  libonnx-testdata installs them: node/, pytorch-converted/, pytorch-operator/, simple/)
  on the interpreter, comparing at rtol 1e-3, atol 1e-7. Prints a summary and a table of
  every case with its status and reason, or with --json one object.`,
    options: { filter: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
    async run(pos, v) {
      if (pos.length > 1) throw new UsageError(`expected at most one folder, got ${pos.length}`);
      const root = pos[0] ?? ONNX_TESTDATA;
      const cases = listCases(root).filter((c) => c.includes((v.filter as string) ?? ''));
      if (cases.length === 0) throw new UsageError(`no ONNX test cases under ${root} (Debian: apt-get install libonnx-testdata)`);
      const results: CaseResult[] = [];
      for (const c of cases) results.push(await runCase(c, root));
      const text = v.json ? JSON.stringify(results, null, 1) : conformanceTable(results);
      const title = '# ONNX backend tests on the interpreter\n\nWritten by `kiln check-onnx --out FILE` from ' +
        `${root} (ONNX 1.12, Debian's libonnx-testdata); tests/onnx/conformance.test.ts holds it.\n\n`;
      if (v.out) writeFileSync(v.out as string, (v.json ? '' : title) + text + '\n');
      else console.log(text);
      return 0;
    },
  },
  'check-corpus': {
    summary: 'parse, verify, round-trip and interpret every .hlo file in a folder',
    usage: `kiln check-corpus DIR [--json] [--no-interpret] [--max-work N] [--out FILE]

  For every DIR/*.hlo: parse, print and re-parse (printing must be a fixed point),
  verify, and run on the interpreter with random inputs when the module uses only
  opcodes and dtypes kiln runs and its estimated work is under N element operations
  (default 1e8). Files listed as TestData in DIR/SOURCES.tsv must print back byte for byte.
  Prints a summary table, or with --json one object. Exit code 0 when it ran.`,
    options: { json: { type: 'boolean' }, 'no-interpret': { type: 'boolean' }, 'max-work': { type: 'string' }, out: { type: 'string' } },
    async run(pos, v) {
      const dir = one(pos, 'folder');
      const maxWork = Number(v['max-work'] ?? 1e8);
      if (!(maxWork > 0)) throw new UsageError(`--max-work wants a positive number, got '${v['max-work']}'`);
      const report = checkCorpus(dir, { maxWork, interpret: !v['no-interpret'], canonical: canonicalFiles(dir) });
      const text = v.json
        ? JSON.stringify({ total: report.total, parsed: report.parsed, roundTrip: report.roundTrip, verified: report.verified,
            interpreted: report.interpreted, interpretable: report.interpretable, canonical: report.canonical,
            skipped: report.skipped, ms: report.ms, failures: report.failures }, null, 1)
        : corpusTable(report);
      if (v.out) writeFileSync(v.out as string, text + '\n');
      else console.log(text);
      return 0;
    },
  },
};

/** Print each output leaf as `index: shape literal`; big arrays as a summary. */
function printResult(result: Literal): void {
  for (const { index, value } of leavesOf(result)) {
    const head = `${index || '0'}: ${shapeToString(value.shape, { layout: false })}`;
    if (elementCount(value.shape) <= 1000) console.log(`${head} ${literalToString(value)}`);
    else {
      let min = Infinity, max = -Infinity, sum = 0;
      for (const x of value.data) { const n = Number(x); min = Math.min(min, n); max = Math.max(max, n); sum += n; }
      console.log(`${head} (${elementCount(value.shape)} elements: min ${min} max ${max} mean ${sum / value.data.length}; use --output-dir for all)`);
    }
  }
}
