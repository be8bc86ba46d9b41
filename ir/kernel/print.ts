// Kernel IR as C-like text, for snapshot tests, `kiln compile --dump`, and reading what
// lowering made. One line per statement; expressions fully parenthesised where nested.
import { typeName } from './build.js';
import { unreachable, type Expr, type Kernel, type Program, type Step, type Stmt } from './kernel.js';

const BINARY_SYMBOL: Partial<Record<string, string>> = {
  add: '+', subtract: '-', multiply: '*', divide: '/', remainder: '%', and: '&', or: '|', xor: '^',
  'shift-left': '<<',
};
const COMPARE_SYMBOL = { EQ: '==', NE: '!=', LT: '<', LE: '<=', GT: '>', GE: '>=' } as const;

export function printExpr(e: Expr, names: readonly string[] = []): string {
  const p = (x: Expr): string => (x.k === 'binary' || x.k === 'compare' || x.k === 'select' ? `(${printExpr(x, names)})` : printExpr(x, names));
  switch (e.k) {
    case 'const': {
      const v = typeof e.value === 'number' && (e.type.scalar === 'f32' || e.type.scalar === 'f64') ? formatFloat(e.value) : String(e.value);
      return e.type.lanes === 1 ? v : `${typeName(e.type)}(${v})`;
    }
    case 'var': return e.name;
    case 'load': return `${names[e.buf] ?? `b${e.buf}`}${e.type.lanes > 1 ? `.v${e.type.lanes}` : ''}[${printExpr(e.index, names)}]`;
    case 'local': return `${e.array}${e.type.lanes > 1 ? `.v${e.type.lanes}` : ''}[${printExpr(e.index, names)}]`;
    case 'unary': return `${e.op}(${printExpr(e.a, names)})`;
    case 'binary': {
      const sym = BINARY_SYMBOL[e.op];
      return sym ? `${p(e.a)} ${sym} ${p(e.b)}` : `${e.op}(${printExpr(e.a, names)}, ${printExpr(e.b, names)})`;
    }
    case 'compare': return `${p(e.a)} ${COMPARE_SYMBOL[e.dir]} ${p(e.b)}`;
    case 'select': return `${p(e.cond)} ? ${p(e.a)} : ${p(e.b)}`;
    case 'muladd': return `muladd(${printExpr(e.a, names)}, ${printExpr(e.b, names)}, ${printExpr(e.c, names)})`;
    case 'convert': return `${typeName(e.type)}(${printExpr(e.a, names)})`;
    case 'bitcast': return `bitcast<${typeName(e.type)}>(${printExpr(e.a, names)})`;
    case 'round': return `round_${e.to}(${printExpr(e.a, names)})`;
    case 'splat': return `${typeName(e.type)}(${printExpr(e.a, names)})`;
    case 'vector': return `${typeName(e.type)}(${e.lanes.map((l) => printExpr(l, names)).join(', ')})`;
    case 'extract': return `${p(e.a)}.${'xyzw'[e.lane]}`;
    case 'gpuId': return `${e.id}_id.${'xyz'[e.dim]}`;
  }
}

function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Object.is(v, -0)) return '-0.0';
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

export function printStmts(stmts: readonly Stmt[], names: readonly string[], indent = '  '): string[] {
  const out: string[] = [];
  for (const s of stmts) {
    switch (s.k) {
      case 'let': out.push(`${indent}let ${s.name}: ${typeName(s.value.type)} = ${printExpr(s.value, names)};`); break;
      case 'assign': out.push(`${indent}${s.name} = ${printExpr(s.value, names)};`); break;
      case 'store':
        out.push(`${indent}${names[s.buf] ?? `b${s.buf}`}${s.value.type.lanes > 1 ? `.v${s.value.type.lanes}` : ''}[${printExpr(s.index, names)}] = ${printExpr(s.value, names)};`);
        break;
      case 'array': out.push(`${indent}${s.scope} ${s.name}: ${s.type}[${s.size}];`); break;
      case 'localStore': out.push(`${indent}${s.array}${s.value.type.lanes > 1 ? `.v${s.value.type.lanes}` : ''}[${printExpr(s.index, names)}] = ${printExpr(s.value, names)};`); break;
      case 'loop': {
        const l = s.loop;
        const step = l.step === 1 ? `${l.var}++` : `${l.var} += ${l.step}`;
        out.push(`${indent}${l.mode === 'serial' ? '' : `${l.mode} `}for (${l.var} = ${printExpr(l.start, names)}; ${l.var} < ${printExpr(l.end, names)}; ${step}) {`);
        out.push(...printStmts(l.body, names, indent + '  '));
        out.push(`${indent}}`);
        break;
      }
      case 'if':
        out.push(`${indent}if (${printExpr(s.cond, names)}) {`);
        out.push(...printStmts(s.then, names, indent + '  '));
        if (s.else.length > 0) {
          out.push(`${indent}} else {`);
          out.push(...printStmts(s.else, names, indent + '  '));
        }
        out.push(`${indent}}`);
        break;
      case 'barrier': out.push(`${indent}barrier();`); break;
    }
  }
  return out;
}

export function printKernel(k: Kernel): string {
  const names = k.params.map((p) => p.name);
  const params = k.params.map((p) => `${p.access === 'read' ? 'in' : p.access === 'write' ? 'out' : 'inout'} ${p.dtype}[${p.size}] ${p.name}`);
  const sched = Object.entries(k.schedule).map(([key, v]) => `${key}=${v}`).join(' ');
  return [`kernel ${k.name}(${params.join(', ')})${sched ? ` schedule(${sched})` : ''} {  // ${k.source}`, ...printStmts(k.body, names), '}'].join('\n');
}

export function printProgram(p: Program): string {
  const lines = [`program ${p.name}  // constants ${p.constantsBytes} B, arena ${p.arenaBytes} B`];
  for (const b of p.buffers) lines.push(`buffer ${b.id} ${b.name}: ${b.dtype}[${b.dims.join(',')}] ${b.region}+${b.offset} (${b.bytes} B)`);
  for (const i of p.inputs) lines.push(`input ${i.name} = buffer ${i.buffer}`);
  for (const o of p.outputs) lines.push(`output ${o.name} = buffer ${o.buffer}`);
  for (const k of p.kernels) lines.push('', printKernel(k));
  lines.push('', ...printSteps(p, p.steps, ''));
  return lines.join('\n') + '\n';
}

/** The steps as nested lines: launches by kernel name, control flow by the buffer it reads. */
function printSteps(p: Program, steps: readonly Step[], indent: string): string[] {
  const buf = (id: number): string => `${p.buffers[id]?.name ?? '?'}#${id}`;
  const inner = (ss: readonly Step[]): string[] => printSteps(p, ss, indent + '  ');
  return steps.flatMap((s): string[] => {
    switch (s.k) {
      case 'launch': return [`${indent}launch ${p.kernels[s.kernel].name}(${s.args.join(', ')})`];
      case 'while': return [`${indent}while {`, ...inner(s.cond), `${indent}} (${buf(s.pred)}) {`, ...inner(s.body), `${indent}}`];
      case 'switch':
        return [`${indent}switch ${s.indexType} ${buf(s.index)} {`, ...s.branches.flatMap((b, i) => [`${indent}case ${i}:`, ...inner(b)]), `${indent}}`];
      default: return unreachable(s);
    }
  });
}
