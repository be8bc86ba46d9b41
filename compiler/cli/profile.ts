// `kiln bench --profile`'s table: one row per kernel, heaviest first, with its share of
// the kernels' total, its time and launches per run, its schedule and the HLO it came
// from; then the total beside the unprofiled median, so the ticks' own cost shows.
import type { KernelProfile, ProfileRow } from '../profile.js';

interface Column {
  readonly head: string;
  readonly cell: (r: ProfileRow, rank: number) => string;
  /** Numbers right-aligned; the last column is never padded. */
  readonly right?: boolean;
}

const COLUMNS: readonly Column[] = [
  { head: '#', cell: (_, rank) => String(rank), right: true },
  { head: 'share', cell: (r) => `${r.share.toFixed(1)}%`, right: true },
  { head: 'ms/run', cell: (r) => r.ms.toFixed(3), right: true },
  { head: 'calls', cell: (r) => (Number.isInteger(r.calls) ? String(r.calls) : r.calls.toFixed(2)), right: true },
  { head: 'kernel', cell: (r) => r.kernel },
  { head: 'schedule', cell: (r) => r.schedule || '—' },
  { head: 'HLO', cell: (r) => r.source },
];

const ms = (x: number): string => `${x.toFixed(3)} ms`;

export function profileText(p: KernelProfile, unprofiledMedianMs: number): string {
  const cells = p.rows.map((r, i) => COLUMNS.map((c) => c.cell(r, i + 1)));
  const widths = COLUMNS.map((c, j) => Math.max(c.head.length, ...cells.map((row) => row[j].length)));
  const line = (row: readonly string[]) => '  ' + row.map((text, j) => {
    if (j === COLUMNS.length - 1) return text;
    return COLUMNS[j].right ? text.padStart(widths[j]) : text.padEnd(widths[j]);
  }).join('  ');
  return [
    `kernels, mean of ${p.runs} profiled run${p.runs === 1 ? '' : 's'} on 1 thread (a tick after every launch):`,
    line(COLUMNS.map((c) => c.head)),
    ...cells.map(line),
    `  sum ${ms(p.totalMs)} per run in ${p.rows.length} kernels (the mean; median ${ms(p.kernelsMedianMs)}); whole runs' median ` +
      `${ms(p.runMedianMs)} profiled, ${ms(unprofiledMedianMs)} unprofiled (a whole run also copies inputs in and outputs out)`,
  ].join('\n');
}
