/** One sample of the Prometheus text exposition format. */
export interface TextSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_.]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Reads the samples of a /metrics page (the Collector's own telemetry). Comments and lines in
 * other syntaxes are skipped: this is for reading a few counters, not a full parser.
 */
export function parsePromText(text: string): TextSample[] {
  const samples: TextSample[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, '$1');
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}
