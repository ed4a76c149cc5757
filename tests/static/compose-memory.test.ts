/**
 * Memory limits: docs/topology.md "Memory limits" is the table of record (measured peak RSS, limit,
 * basis). Each compose mem_limit, as the real Compose loader resolves it, must equal the table's and
 * be at least 1.5 x the measured peak, so the docs and docker-compose.yml cannot drift apart.
 */
import { describe, expect, it } from 'vitest';
import { bytesOf, envExample, resolveCompose, writeEnvFile } from './support/compose-config.ts';
import { readRepoFile } from './support/repo.ts';

const MIB = 1024 ** 2;

interface Row {
  service: string;
  peak: string;
  limit: string;
  basis: string;
}

/** The rows of the table under "## Memory limits" in docs/topology.md. */
const memoryTable = (markdown: string): Row[] => {
  const section = markdown.split(/^## Memory limits$/m)[1]?.split(/^## /m)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\|\s*`[^`]+`\s*\|/.test(line))
    .map((line) => {
      const [service = '', peak = '', limit = '', basis = ''] = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      return { service: service.replaceAll('`', ''), peak, limit, basis };
    });
};

const rows = memoryTable(readRepoFile('docs/topology.md'));
const services = resolveCompose('load', writeEnvFile(envExample())).services;

describe('memory limits (docs/topology.md table vs resolved compose)', () => {
  it('has one row per compose service', () => {
    expect(rows.map((row) => row.service).sort()).toEqual(Object.keys(services).sort());
  });

  it.each(rows.map((row) => [row.service, row]))('%s: compose mem_limit equals the table', (name, row) => {
    expect(bytesOf(services[name]?.mem_limit)).toBe(bytesOf(row.limit));
  });

  it.each(rows.map((row) => [row.service, row]))('%s: limit >= 1.5 x measured peak, or a documented basis', (_name, row) => {
    if (row.peak === '-') {
      expect(row.basis, 'a row without a measurement says where its limit comes from').toMatch(/documented|minimum|one-shot/);
      return;
    }
    expect(row.peak, 'measured peak filled in (scripts/measure-footprint.sh)').toMatch(/^\d+(\.\d+)?$/);
    expect(bytesOf(row.limit)).toBeGreaterThanOrEqual(1.5 * Number(row.peak) * MIB);
  });

  it('Grafana has at least its documented minimum (512 MB)', () => {
    expect(bytesOf(services.grafana?.mem_limit)).toBeGreaterThanOrEqual(512 * MIB);
  });

  it('the check can fail: a limit below 1.5 x peak, or a table that lost a service', () => {
    const table = memoryTable('## Memory limits\n\n| `api` | 400 | 512m | x |\n\n## Next\n| `worker` | 1 | 1m | x |\n');
    expect(table).toEqual([{ service: 'api', peak: '400', limit: '512m', basis: 'x' }]);
    expect(bytesOf('512m')).toBeLessThan(1.5 * 400 * MIB);
  });
});
