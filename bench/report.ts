// The final table: each figure next to its target, the baseline measured in the same run, and the ratio.
import { fmtInt, fmtMs } from './util.js';

export interface Row {
  figure: string;
  kage: number;
  unit: 'ms' | 'MiB' | 'req/s' | '/s' | '%' | '';
  target?: { op: '<' | '≥' | '='; value: number };
  baseline: number;
  /** the real kube-apiserver's figure (shared/reference/anchor-figures.md) */
  anchor: string;
  noRatio?: boolean;
  /** nothing to compare with: the baseline column shows — */
  noBaseline?: boolean;
  /** starts a new block of the table, headed by this line (e.g. what the baseline column means there) */
  section?: string;
  /** not measured, and why (e.g. "n/a (415)" for a kind of request the server refuses): shown instead of the figure */
  unavailable?: string;
}

export function fmtValue(v: number, unit: Row['unit']): string {
  switch (unit) {
    case 'ms':
      return fmtMs(v);
    case 'MiB':
      return Number.isFinite(v) ? `${v.toFixed(1)} MiB` : 'n/a';
    case 'req/s':
      return `${fmtInt(v)} req/s`;
    case '/s':
      return `${fmtInt(v)} /s`;
    case '%':
      return Number.isFinite(v) ? `${v.toFixed(0)} %` : 'n/a';
    default:
      return fmtInt(v);
  }
}

export function meets(r: Row): boolean | undefined {
  if (!r.target || r.unavailable !== undefined) return undefined;
  const { op, value } = r.target;
  if (!Number.isFinite(r.kage)) return false;
  if (op === '<') return r.kage < value;
  if (op === '≥') return r.kage >= value;
  return r.kage === value;
}

function ratio(r: Row): string {
  if (r.noRatio || r.noBaseline || r.unavailable !== undefined || !Number.isFinite(r.kage) || !Number.isFinite(r.baseline) || r.baseline === 0) return '—';
  const x = r.kage / r.baseline;
  return `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)}×`;
}

export function printTable(rows: Row[], versions: Record<string, string>, quick: boolean, seconds: number): void {
  const header = ['figure', 'kage', 'target', '', 'baseline (plain node https)', 'ratio', 'kube-apiserver'];
  const body = rows.map((r) => {
    const ok = meets(r);
    return [
      r.figure,
      r.unavailable ?? fmtValue(r.kage, r.unit),
      r.target ? `${r.target.op} ${fmtValue(r.target.value, r.unit)}` : '—',
      ok === undefined ? '' : ok ? 'ok' : 'MISS',
      r.noBaseline ? '—' : fmtValue(r.baseline, r.unit),
      ratio(r),
      r.anchor,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 1 || i === 4 || i === 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('   ').trimEnd();
  const out: string[] = [];
  out.push(`kage ${versions['kage']} (${versions['git']}), node ${versions['node']}, autocannon ${versions['autocannon']}, ${versions['cpu']}${quick ? ', --quick' : ''}, ${seconds.toFixed(0)} s, load average ${versions['loadavgAtStart']} → ${versions['loadavgAtEnd']}`);
  out.push('');
  out.push(line(header));
  out.push(widths.map((w) => '-'.repeat(w)).join('   '));
  body.forEach((b, i) => {
    const section = rows[i]!.section;
    if (section) {
      out.push('');
      out.push(section);
    }
    out.push(line(b));
  });
  out.push('');
  out.push('ratio = kage ÷ baseline (for req/s and /s lower is worse, for ms and MiB higher is worse).');
  const missed = rows.filter((r) => meets(r) === false).map((r) => r.figure.trim());
  out.push(missed.length ? `targets missed: ${missed.join('; ')}` : 'all targets met');
  const unavailable = rows.filter((r) => r.unavailable !== undefined).map((r) => `${r.figure.trim()} ${r.unavailable}`);
  if (unavailable.length) out.push(`not measured: ${unavailable.join('; ')}`);
  process.stdout.write(`${out.join('\n')}\n`);
}
