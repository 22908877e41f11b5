/**
 * The artefacts of a full run: the SVG chart (well-formed, every headline row drawn, text
 * escaped), the generated docs block, and the profile and heap summaries used to find causes.
 */
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { escapeXml, renderChart } from '../chart.js';
import type { CaseResult } from '../harness.js';
import { heapByConstructor } from '../heap.js';
import { ownerOf, summarize } from '../profile.js';
import { resultsBlock, type BenchReport } from '../report.js';

function row(name: string, ours: number, wechat4u: number | null, limit: number | null, met: boolean | null): CaseResult {
  const spread = { min: ours, max: ours, relative: 0 };
  return {
    name,
    case: name.split(/[.@]/)[0]!,
    unit: 'msg/s',
    better: 'higher',
    ours,
    wechat4u,
    limit,
    ratioVsWechat4u: wechat4u === null ? null : ours / wechat4u,
    ratioVsLimit: limit === null ? null : ours / limit,
    goal: met === null ? null : 'ratioVsLimit >= 0.5',
    met,
    samples: { runs: 5, warmup: 1, size: '20 <things> & more', clock: 'wall', spread: { ours: spread, wechat4u: null, limit: null }, ours: [ours], wechat4u: null, limit: null },
  };
}

const report: BenchReport = {
  node: 'v20.0.0',
  cpu: 'Test CPU × 2',
  date: '2024-01-01T00:00:00.000Z',
  cases: [row('sync-throughput', 100, 50, 300, false), row('contacts-decode', 10, 9, null, true), row('sync-throughput@1k', 90, 40, 250, null)],
  scaling: [
    {
      case: 'sync-throughput',
      figure: 'sync-throughput',
      unit: 's to drain',
      sizes: [1000, 5000, 20000],
      totals: { ours: [0.1, 0.5, 2], limit: [0.03, 0.15, 0.6] },
      exponent: { ours: 1, limit: 1 },
      marginalRatio: { ours: 1, limit: 1 },
      verdict: { ours: 'linear', limit: 'linear' },
    },
  ],
};

describe('renderChart', () => {
  const svg = renderChart(report);

  it('is well-formed SVG', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  it('draws one bar panel per headline row (not the @size rows) and one line chart per scaling figure', () => {
    expect(svg).toContain('>sync-throughput<');
    expect(svg).toContain('>contacts-decode<');
    expect(svg).not.toContain('>sync-throughput@1k<');
    expect(svg).toContain('sync-throughput: scaling');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
  });

  it('says whether each goal was met', () => {
    expect(svg).toContain('goal missed: ratioVsLimit &gt;= 0.5');
    expect(svg).toContain('goal met: ratioVsLimit &gt;= 0.5');
  });

  it('escapes text', () => {
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
  });
});

describe('resultsBlock', () => {
  it('holds the chart, one table line per row and the scaling table between its markers', () => {
    const block = resultsBlock(report);
    expect(block.startsWith('<!-- bench:results:begin')).toBe(true);
    expect(block.endsWith('<!-- bench:results:end -->')).toBe(true);
    expect(block).toContain('![benchmarks](img/benchmarks.svg)');
    expect(block).toContain('| sync-throughput | msg/s | higher | 100 (±0 %) | 50.0 | 300 | 2.00× | 0.33× | ratioVsLimit >= 0.5 | **no** |');
    expect(block).toContain('| sync-throughput | s to drain | 1,000 / 5,000 / 20,000 | ours | 0.10 / 0.50 / 2.00 | linear | 1 | 1 |');
  });
});

describe('profile summary', () => {
  it('names owners by package or project file', () => {
    expect(ownerOf('file:///w/node_modules/xstate/dist/x.js')).toBe('xstate');
    expect(ownerOf('file:///w/node_modules/@sindresorhus/is/dist/index.js')).toBe('@sindresorhus/is');
    expect(ownerOf('file:///w/dist/codecs/sync.js')).toBe('dist/codecs/sync.js');
    expect(ownerOf('node:internal/x')).toBe('(node)');
  });

  it('sums self and inclusive time, skipping idle time and the gap of a suspended process', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 4] },
        { id: 2, callFrame: frame('outer', 'file:///w/dist/a.js'), children: [3] },
        { id: 3, callFrame: frame('inner', 'file:///w/node_modules/got/x.js') },
        { id: 4, callFrame: frame('(idle)', '') },
      ],
      samples: [3, 3, 2, 4, 3],
      // The last sample comes after a 5 s suspension: not time spent in `inner`.
      timeDeltas: [1000, 1000, 2000, 50_000, 5_000_000],
    };
    const s = summarize(profile, 'dist/');
    expect(s.totalMs).toBe(4);
    expect(s.selfByOwner).toEqual([
      ['got', 2],
      ['dist/a.js', 2],
    ]);
    expect(s.inclusiveByFunction).toEqual([['outer dist/a.js:1', 4]]);
  });
});

describe('heap summary', () => {
  it('sums self sizes by type and constructor, strings together', () => {
    const snapshot = {
      snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [['hidden', 'object', 'string']] as [string[]] } },
      // type, name, id, self_size, edge_count
      nodes: [1, 0, 1, 40, 0, 1, 0, 2, 24, 0, 2, 1, 3, 100, 0, 2, 2, 4, 50, 0, 1, 3, 5, 10, 0],
      strings: ['StateNode', 'some text', 'other text', 'Array'],
    };
    expect(heapByConstructor(snapshot)).toEqual([
      { key: 'string:', count: 2, bytes: 150 },
      { key: 'object:StateNode', count: 2, bytes: 64 },
      { key: 'object:Array', count: 1, bytes: 10 },
    ]);
  });
});
