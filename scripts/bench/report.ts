/**
 * The contract between `npm run bench` (scripts/bench/index.ts) and its parts: each part is a module
 * exporting `run(options)`, which measures, prints its own progress lines, and returns a report that
 * the entry point prints as Markdown and, with --json, writes as JSON.
 */
export interface BenchOptions {
  /** A short run (seconds per part) that only proves the part produces numbers: the CI smoke test. */
  smoke: boolean;
  /** Repository root (absolute path). */
  root: string;
  /** Go tool binaries from `scripts/build-tools.sh --print-env` (OTELCOL_BIN, PROMETHEUS_BIN, ...). */
  tools: Record<string, string>;
}

export interface PartReport {
  /** Short id: overhead | collector | freshness | footprint. */
  part: string;
  title: string;
  /** Method, tables and notes, ready to paste into docs/performance.md. */
  markdown: string;
  /** Every number the tables show, machine-readable (finite numbers only). */
  numbers: Record<string, unknown>;
}

export type BenchPart = (options: BenchOptions) => Promise<PartReport>;
