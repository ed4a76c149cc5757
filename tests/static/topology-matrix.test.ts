/**
 * Every series has a producer in every topology. The references (rules, dashboards, runbooks, the
 * SLO doc, the self-check) and the producers (app instruments, Collector pipelines, scrape jobs,
 * rules) are both derived from the files, so a renamed job, a dropped pipeline or a new panel on a
 * series one topology lacks fails here, naming the file to change. docs/topology-matrix.md is the
 * published matrix; it must be regenerated (`npm run docs:matrix`) when it changes.
 */
import { describe, expect, it } from 'vitest';
import { readRepoFile } from './support/repo.ts';
import { MATRIX_DOC, renderMatrix } from './support/series-doc.ts';
import { buildMatrix } from './support/series-matrix.ts';
import { seriesReferences } from './support/series-references.ts';

const matrix = buildMatrix();

describe('the series references', () => {
  it('come from every kind of reader, and every query they come from parses', () => {
    const { references, unparsable } = seriesReferences();
    expect(unparsable.map((r) => `${r.source}: ${r.query}`)).toEqual([]);
    const kinds = new Set(references.flatMap((r) => r.readers.map((x) => x.kind)));
    expect([...kinds].sort()).toEqual(['SLO doc', 'alert', 'dashboard', 'recording rule', 'runbook', 'self-check'].filter((k) => kinds.has(k as never)).sort());
    expect(kinds.has('alert') && kinds.has('dashboard') && kinds.has('runbook') && kinds.has('self-check')).toBe(true);
  });
});

describe.each(matrix.topologies.map((t) => [t.title, t] as const))('topology %s', (_title, topology) => {
  it('runs at least one Collector that Prometheus scrapes', () => {
    expect(topology.collectors.length).toBeGreaterThan(0);
    expect(topology.scrapeJobs.some((j) => j.targets.some((t) => t.kind === 'collector'))).toBe(true);
  });

  it('has a producer for every series it is asked for, or an exemption that says why not', () => {
    const gaps = matrix.gaps.get(topology.id) ?? [];
    console.log(`${topology.id}: ${gaps.length} gap(s)\n${gaps.map((g) => `  ${g.ref.key}: ${g.missing} (read by ${g.ref.readers.map((r) => r.source).join('; ')})`).join('\n')}`);
    expect(gaps.map((g) => `${g.ref.key}: ${g.missing}`)).toEqual([]);
  });
});

describe(MATRIX_DOC, () => {
  it('is the current rendering of the matrix (npm run docs:matrix)', () => {
    expect(readRepoFile(MATRIX_DOC)).toBe(renderMatrix(matrix));
  });
});
