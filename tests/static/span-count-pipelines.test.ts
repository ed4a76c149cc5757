/**
 * Span metrics count each span once only if no component can refuse a request after the connectors
 * counted it: the sender would retry it and the connectors would count it again
 * (opentelemetry-collector#6961; proven live in tests/integration/span-metrics-exact.test.ts).
 * This reads the pipeline graph of every Collector config that counts spans and checks the layout
 * that makes it so: one pipeline per receiver, the memory limiter only at its door, and every way to
 * a real exporter (whose full queue refuses) through a hand-over that answers at once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/service-process.ts';

interface Pipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}

const COUNTING = /^(span_metrics|service_graph)(\/|$)/;
/** Processors that accept a batch and export it later from their own goroutine. */
const HAND_OVER = /^(batch|tail_sampling)(\/|$)/;

function load(file: string) {
  const config = parse(readFileSync(join(REPO_ROOT, file), 'utf8'), { merge: true });
  const connectors = new Set(Object.keys(config.connectors ?? {}));
  const pipelines = config.service.pipelines as Record<string, Pipeline>;
  const traces = Object.entries(pipelines).filter(([id]) => id === 'traces' || id.startsWith('traces/'));
  return { connectors, traces };
}

/** Every chain of traces pipelines from a Collector receiver, following connectors. */
function paths(file: string): string[][] {
  const { connectors, traces } = load(file);
  const fedBy = (component: string) => traces.filter(([, p]) => p.receivers.includes(component)).map(([id]) => id);
  const walk = (id: string, seen: string[]): string[][] => {
    const pipeline = traces.find(([name]) => name === id)![1];
    const next = pipeline.exporters.filter((e) => connectors.has(e)).flatMap((c) => fedBy(c));
    return next.length === 0 ? [[...seen, id]] : next.flatMap((n) => walk(n, [...seen, id]));
  };
  return traces.filter(([, p]) => p.receivers.some((r) => !connectors.has(r))).flatMap(([id]) => walk(id, []));
}

const files = ['collector/config.yaml', 'collector/gateway.yaml'];

describe.each(files)('%s: a span counted is never refused', (file) => {
  const { connectors, traces } = load(file);
  const pipeline = (id: string) => traces.find(([name]) => name === id)![1];

  it('counts spans at all (span_metrics, service_graph)', () => {
    expect(traces.some(([, p]) => p.exporters.some((e) => COUNTING.test(e)))).toBe(true);
  });

  it("each receiver feeds one traces pipeline (a fan-out answers with the union of its branches' errors)", () => {
    const receivers = traces.flatMap(([, p]) => p.receivers.filter((r) => !connectors.has(r)));
    expect(receivers.length).toBeGreaterThan(0);
    expect(new Set(receivers).size, receivers.join(', ')).toBe(receivers.length);
  });

  it('the memory limiter refuses at the door only, before anything counted the spans', () => {
    for (const path of paths(file)) {
      const processors = path.flatMap((id) => pipeline(id).processors ?? []);
      expect(processors[0], path.join(' → ')).toBe('memory_limiter');
      expect(processors.filter((p) => p.startsWith('memory_limiter')).length, path.join(' → ')).toBe(1);
    }
  });

  it('every way to a real exporter passes a hand-over after the counting', () => {
    for (const path of paths(file)) {
      const exporters = pipeline(path.at(-1)!).exporters.filter((e) => !connectors.has(e));
      if (exporters.length === 0) continue;
      const counted = path.some((id) => pipeline(id).exporters.some((e) => COUNTING.test(e)));
      const handedOver = path.slice(1).some((id) => (pipeline(id).processors ?? []).some((p) => HAND_OVER.test(p)));
      expect(!counted || handedOver, `${path.join(' → ')} → ${exporters.join(', ')}`).toBe(true);
    }
    // A pipeline that counts exports nowhere else directly.
    for (const [id, p] of traces)
      if (p.exporters.some((e) => COUNTING.test(e)))
        expect(
          p.exporters.filter((e) => !connectors.has(e)),
          id,
        ).toEqual([]);
  });
});
