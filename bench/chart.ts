/**
 * The benchmark chart, drawn from a results report as plain SVG (no dependency, nothing drawn by
 * hand): one panel of bars per headline figure (ours, wechat4u, the limit, with the goal and its
 * verdict), then one line chart per scaling figure (whole cost over size, one line per contestant).
 */
import { formatNumber, type CaseResult } from './harness.js';
import { short, type ScalingResult } from './measure.js';
import type { BenchReport } from './report.js';

type Who = 'ours' | 'wechat4u' | 'limit';

const WHO: readonly Who[] = ['ours', 'wechat4u', 'limit'];
const COLOR: Readonly<Record<Who, string>> = { ours: '#2563eb', wechat4u: '#ea580c', limit: '#6b7280' };
const LABEL: Readonly<Record<Who, string>> = { ours: 'webwx-machine', wechat4u: 'wechat4u', limit: 'bare limit' };

const WIDTH = 960;
const COLUMNS = 3;
const GAP = 16;
const PANEL_W = (WIDTH - GAP * (COLUMNS + 1)) / COLUMNS;
const BAR_PANEL_H = 166;
const LINE_PANEL_H = 220;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const text = (x: number, y: number, content: string, attrs = ''): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;

const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/** A headline figure: bars scaled to the largest of the three values. */
function barPanel(row: CaseResult, x: number, y: number): string {
  const parts: string[] = [];
  parts.push(`<rect x="${x}" y="${y}" width="${PANEL_W}" height="${BAR_PANEL_H}" rx="6" fill="#f8fafc" stroke="#e2e8f0"/>`);
  parts.push(text(x + 10, y + 20, row.name, 'font-size="13" font-weight="600" fill="#0f172a"'));
  parts.push(text(x + 10, y + 36, `${row.unit} · ${row.better === 'higher' ? 'higher' : 'lower'} is better`, 'font-size="11" fill="#475569"'));
  const values: [Who, number | null][] = [
    ['ours', row.ours],
    ['wechat4u', row.wechat4u],
    ['limit', row.limit],
  ];
  const max = Math.max(...values.map(([, v]) => (finite(v) ? v : 0)), Number.MIN_VALUE);
  const labelW = 92;
  const barMax = PANEL_W - labelW - 70;
  values.forEach(([who, v], i) => {
    const by = y + 48 + i * 22;
    parts.push(text(x + 10, by + 12, LABEL[who], 'font-size="11" fill="#334155"'));
    if (!finite(v)) {
      parts.push(text(x + labelW + 10, by + 12, 'not measured', 'font-size="11" fill="#94a3b8"'));
      return;
    }
    const w = Math.max(1, (v / max) * barMax);
    parts.push(`<rect x="${x + labelW + 10}" y="${by + 2}" width="${w.toFixed(1)}" height="14" rx="2" fill="${COLOR[who]}"/>`);
    parts.push(text(x + labelW + 16 + w, by + 13, formatNumber(v), 'font-size="11" fill="#0f172a"'));
  });
  const ratios = [
    finite(row.ratioVsWechat4u) ? `ours/wechat4u ${row.ratioVsWechat4u.toFixed(2)}` : null,
    finite(row.ratioVsLimit) ? `ours/limit ${row.ratioVsLimit.toFixed(2)}` : null,
  ].filter((s): s is string => s !== null);
  parts.push(text(x + 10, y + 128, ratios.join(' · '), 'font-size="11" fill="#334155"'));
  if (row.goal !== null) {
    const verdict = row.met === null ? 'goal: n/a' : row.met ? 'goal met' : 'goal missed';
    const color = row.met === null ? '#64748b' : row.met ? '#15803d' : '#b91c1c';
    // One bound per line: a two-bound goal does not fit the panel's width on one.
    row.goal.split(' and ').forEach((bound, i) => {
      parts.push(text(x + 10, y + 144 + i * 14, `${i === 0 ? `${verdict}: ` : 'and '}${bound}`, `font-size="10.5" fill="${color}"`));
    });
  }
  return parts.join('\n');
}

/** Whole cost over size for each contestant, on linear axes from zero. */
function linePanel(s: ScalingResult, x: number, y: number): string {
  const parts: string[] = [];
  parts.push(`<rect x="${x}" y="${y}" width="${PANEL_W}" height="${LINE_PANEL_H}" rx="6" fill="#f8fafc" stroke="#e2e8f0"/>`);
  parts.push(text(x + 10, y + 20, `${s.figure}: scaling`, 'font-size="13" font-weight="600" fill="#0f172a"'));
  parts.push(text(x + 10, y + 36, `whole cost (${s.unit}) over size`, 'font-size="11" fill="#475569"'));
  const left = x + 48;
  const right = x + PANEL_W - 14;
  const top = y + 48;
  const bottom = y + LINE_PANEL_H - 62;
  const maxX = Math.max(...s.sizes);
  const all = WHO.flatMap((w) => s.totals[w] ?? []).filter(finite);
  const maxY = Math.max(...all, Number.MIN_VALUE) * 1.08;
  const px = (v: number): number => left + (v / maxX) * (right - left);
  const py = (v: number): number => bottom - (v / maxY) * (bottom - top);
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#94a3b8"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#94a3b8"/>`);
  parts.push(text(left - 4, top + 4, formatNumber(maxY), 'font-size="10" fill="#64748b" text-anchor="end"'));
  parts.push(text(left - 4, bottom, '0', 'font-size="10" fill="#64748b" text-anchor="end"'));
  for (const size of s.sizes) {
    parts.push(`<line x1="${px(size).toFixed(1)}" y1="${bottom}" x2="${px(size).toFixed(1)}" y2="${bottom + 4}" stroke="#94a3b8"/>`);
    parts.push(text(px(size), bottom + 15, size.toLocaleString('en'), 'font-size="10" fill="#64748b" text-anchor="middle"'));
  }
  let legendY = bottom + 30;
  for (const who of WHO) {
    const totals = s.totals[who];
    if (!totals) continue;
    const points = totals.map((t, i) => `${px(s.sizes[i]!).toFixed(1)},${py(t).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${COLOR[who]}" stroke-width="2"/>`);
    totals.forEach((t, i) => parts.push(`<circle cx="${px(s.sizes[i]!).toFixed(1)}" cy="${py(t).toFixed(1)}" r="3" fill="${COLOR[who]}"/>`));
    parts.push(`<rect x="${x + 10}" y="${legendY - 8}" width="10" height="3" fill="${COLOR[who]}"/>`);
    parts.push(text(x + 24, legendY - 4, `${LABEL[who]}: ${s.verdict[who] ?? '—'} (marginal ×${short(s.marginalRatio[who])})`, 'font-size="10" fill="#334155"'));
    legendY += 11;
  }
  return parts.join('\n');
}

export function renderChart(report: BenchReport): string {
  const headline = report.cases.filter((r) => !r.name.includes('@'));
  const scaling = report.scaling ?? [];
  const barRows = Math.ceil(headline.length / COLUMNS);
  const lineRows = Math.ceil(scaling.length / COLUMNS);
  const headerH = 64;
  const height = headerH + barRows * (BAR_PANEL_H + GAP) + (lineRows > 0 ? 28 + lineRows * (LINE_PANEL_H + GAP) : 0) + GAP;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`);
  parts.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  parts.push(text(GAP, 28, 'webwx-machine vs wechat4u vs the bare limit', 'font-size="18" font-weight="700" fill="#0f172a"'));
  parts.push(
    text(
      GAP,
      48,
      `${report.quick ? 'QUICK run (a check, not a result) · ' : ''}${report.date ?? ''}${report.engine ? ` · engine ${report.engine.commit.slice(0, 7)}` : ''} · Node ${report.node} · ${report.cpu} · medians; ratios are ours ÷ theirs`,
      'font-size="11" fill="#475569"',
    ),
  );
  headline.forEach((row, i) => {
    const x = GAP + (i % COLUMNS) * (PANEL_W + GAP);
    const y = headerH + Math.floor(i / COLUMNS) * (BAR_PANEL_H + GAP);
    parts.push(barPanel(row, x, y));
  });
  if (lineRows > 0) {
    const top = headerH + barRows * (BAR_PANEL_H + GAP) + 20;
    parts.push(text(GAP, top, 'Scaling: is the whole cost linear in the size?', 'font-size="14" font-weight="600" fill="#0f172a"'));
    scaling.forEach((s, i) => {
      const x = GAP + (i % COLUMNS) * (PANEL_W + GAP);
      const y = top + 8 + Math.floor(i / COLUMNS) * (LINE_PANEL_H + GAP);
      parts.push(linePanel(s, x, y));
    });
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
