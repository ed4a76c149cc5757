/**
 * The analysis behind `npm run profile`: self and total time from a V8 .cpuprofile, stacks merged,
 * idle reported apart, recursion counted once in a total; the SVG flame graph is well-formed and
 * proportional; the heap summary groups a snapshot by constructor.
 */
import { describe, expect, it } from 'vitest';
import { summarize, topFunctionsTable, type CpuProfile } from '../../src/profiling/cpuprofile.ts';
import { flameGraphSvg } from '../../src/profiling/flamegraph.ts';
import { heapByType } from '../../src/profiling/heapsnapshot.ts';

const ROOT = '/srv/app';
const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, scriptId: '1', url, lineNumber, columnNumber: 0 });

/**
 * (root) → handler (src) → JSON.stringify-ish work (node_modules) and a recursive walk; plus (idle)
 * and (garbage collector). Each sample is charged the gap to the next one (1000 µs each here).
 */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5, 6, 7] },
    { id: 2, callFrame: frame('handler', `file://${ROOT}/src/http/routes/products.ts`, 7), children: [3, 4] },
    { id: 3, callFrame: frame('serialize', `file://${ROOT}/node_modules/hono/dist/context.js`, 40) },
    { id: 4, callFrame: frame('walk', `file://${ROOT}/src/domain/tree.ts`, 2), children: [8] },
    { id: 8, callFrame: frame('walk', `file://${ROOT}/src/domain/tree.ts`, 2) },
    { id: 5, callFrame: frame('(idle)') },
    { id: 6, callFrame: frame('(garbage collector)') },
    // The same handler reached again from (root): merged with node 2 in the tree and the table.
    { id: 7, callFrame: frame('handler', `file://${ROOT}/src/http/routes/products.ts`, 7) },
  ],
  startTime: 0,
  endTime: 10_000,
  samples: [3, 3, 3, 4, 8, 8, 5, 5, 6, 7],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('cpuprofile summary', () => {
  const summary = summarize(profile, ROOT);
  const fn = (name: string) => summary.functions.find((f) => f.frame.name === name)!;

  it('charges each sample the gap to the next, reports idle apart, and merges identical stacks', () => {
    expect(summary.durationMicros).toBe(10_000);
    expect(summary.idleMicros).toBe(2000);
    expect(summary.tree.totalMicros).toBe(8000); // everything but idle
    expect(fn('serialize').selfMicros).toBe(3000);
    expect(fn('handler').selfMicros).toBe(1000); // node 7's sample (the last one: the average gap)
    expect(fn('handler').totalMicros).toBe(7000); // 3 serialize + 3 walk + 1 own
    expect(fn('walk').selfMicros).toBe(3000);
    expect(fn('walk').totalMicros).toBe(3000); // recursion counted once
    expect([...summary.tree.children.keys()]).toEqual(['handler src/http/routes/products.ts:8', '(garbage collector) ']);
  });

  it('names files relative to the service, libraries from their package, with 1-based lines', () => {
    expect(fn('serialize').frame).toEqual({ name: 'serialize', location: 'hono/dist/context.js:41', kind: 'dependency' });
    expect(fn('handler').frame.kind).toBe('ours');
    expect(fn('(garbage collector)').frame.kind).toBe('runtime');
  });

  it('prints the top functions by self time', () => {
    const table = topFunctionsTable(summary, 2).split('\n');
    expect(table[0]).toBe('busy 8 ms of 10 ms (idle 2 ms)');
    expect(table.slice(3)).toHaveLength(2);
    expect(table[3]).toMatch(/^ +3\.0 +37\.5% +3\.0 {2}(serialize|walk)/);
  });

  it('draws a flame graph whose frame widths are proportional to total time', () => {
    const svg = flameGraphSvg(summary, 'api <test>');
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg /);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('api &lt;test&gt;');
    const width = (label: string) => Number(new RegExp(`<title>${label}[^<]*</title><rect [^>]*width="([\\d.]+)"`).exec(svg)?.[1]);
    const all = width('all');
    expect(width('handler src/http/routes/products.ts:8') / all).toBeCloseTo(7 / 8, 2);
    expect(width('serialize hono/dist/context.js:41') / all).toBeCloseTo(3 / 8, 2);
    expect(svg).not.toContain('(idle)');
  });
});

describe('heap snapshot summary', () => {
  it('groups objects by constructor and other nodes by type, by self size', () => {
    const snapshot = {
      snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size'], node_types: [['hidden', 'object', 'string', 'closure']] } },
      nodes: [1, 0, 1, 100, 1, 0, 2, 50, 1, 1, 3, 400, 2, 2, 4, 30, 3, 3, 5, 20],
      strings: ['Order', 'Buffer', 'hello', 'handler'],
    };
    expect(heapByType(JSON.stringify(snapshot))).toEqual({
      totalBytes: 600,
      types: [
        { name: 'Buffer', count: 1, selfBytes: 400 },
        { name: 'Order', count: 2, selfBytes: 150 },
        { name: '(string)', count: 1, selfBytes: 30 },
        { name: '(closure)', count: 1, selfBytes: 20 },
      ],
    });
  });
});
