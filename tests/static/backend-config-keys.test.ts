/**
 * (g) loki/loki.yaml and tempo/tempo.yaml use only keys that the pinned versions document, plus the
 * settings this kit depends on. Loki and Tempo refuse to start on an unknown key; without an engine
 * here, an allow-list taken from each version's configuration reference is the closest check.
 *
 * The allow-lists and their sources (the configuration references of exactly these versions) are
 * in support/loki-keys.ts and support/tempo-keys.ts; the first test of each block fails when the
 * compose pin moves to another minor version, so the lists are revisited with every upgrade.
 */
import { describe, expect, it } from 'vitest';
import { loadCompose, withDefaults } from './support/compose.ts';
import { readYaml } from './support/repo.ts';
import type { AllowedKeys } from './support/loki-keys.ts';
import { LOKI_KEYS } from './support/loki-keys.ts';
import { TEMPO_KEYS, TEMPO_REMOVED_IN_3 } from './support/tempo-keys.ts';

type Tree = Record<string, unknown>;

/** Keys of `config` (two levels) that `allowed` does not list. */
const unknownKeys = (config: Tree, allowed: AllowedKeys): string[] =>
  Object.entries(config).flatMap(([key, value]) => {
    const children = allowed[key];
    if (children === undefined) return [key];
    if (children === 'any' || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
    return Object.keys(value)
      .filter((child) => !children.includes(child))
      .map((child) => `${key}.${child}`);
  });

const imageTag = (service: string): string =>
  withDefaults(loadCompose().services[service]?.image ?? '')
    .split(':')
    .at(-1) ?? '';

describe('loki/loki.yaml (Loki 3.7)', () => {
  const loki = readYaml<Tree>('loki/loki.yaml');
  const limits = loki.limits_config as Tree;

  it('is checked against the version compose runs', () => {
    expect(imageTag('loki')).toMatch(/^3\.7\.\d+$/);
  });

  it('uses only documented keys', () => {
    expect(unknownKeys(loki, LOKI_KEYS)).toEqual([]);
  });

  it('stores on the filesystem with the TSDB index and schema v13 (required for structured metadata)', () => {
    const schemas = (loki.schema_config as { configs: Tree[] }).configs;
    expect(schemas.at(-1)).toMatchObject({ store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { period: '24h' } });
  });

  it('runs as one instance: in-memory ring, replication 1', () => {
    expect(loki.common).toMatchObject({ replication_factor: 1, ring: { kvstore: { store: 'inmemory' } } });
  });

  it('enforces retention through the compactor', () => {
    expect(loki.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(limits.retention_period).toMatch(/^\d+[hdw]$/);
  });

  it('indexes exactly service.name, service.namespace and deployment.environment.name', () => {
    const otlp = limits.otlp_config as {
      resource_attributes: { ignore_defaults: boolean; attributes_config: Array<{ action: string; attributes: string[] }> };
    };
    expect(otlp.resource_attributes.ignore_defaults).toBe(true);
    const labels = otlp.resource_attributes.attributes_config
      .filter((entry) => entry.action === 'index_label')
      .flatMap((entry) => entry.attributes);
    expect(labels.sort()).toEqual(['deployment.environment.name', 'service.name', 'service.namespace']);
  });

  it('does not report usage statistics', () => {
    expect(loki.analytics).toEqual({ reporting_enabled: false });
  });

  it('detects an unknown key (the check itself works)', () => {
    expect(unknownKeys({ limits_config: { retention: '7d' }, ingester_config: {} }, LOKI_KEYS)).toEqual([
      'limits_config.retention',
      'ingester_config',
    ]);
  });
});

describe('tempo/tempo.yaml (Tempo 3.0)', () => {
  const tempo = readYaml<Tree>('tempo/tempo.yaml');

  it('is checked against the version compose runs', () => {
    expect(imageTag('tempo')).toMatch(/^3\.0\.\d+$/);
  });

  it('uses only documented keys', () => {
    expect(unknownKeys(tempo, TEMPO_KEYS)).toEqual([]);
  });

  it('has none of the blocks Tempo 3.0 removed', () => {
    for (const key of TEMPO_REMOVED_IN_3) expect(tempo).not.toHaveProperty(key);
  });

  it('receives OTLP gRPC 4317 and HTTP 4318 on all interfaces', () => {
    expect(tempo.distributor).toMatchObject({
      receivers: { otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } } },
    });
  });

  it('makes traces searchable within seconds (query_end_cutoff well below the 30s default)', () => {
    const cutoff = (tempo.query_frontend as Tree).query_end_cutoff as string;
    const seconds = Number(/^(\d+)s$/.exec(cutoff)?.[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(10);
  });

  it('does not generate span metrics or service graphs (the Collector connectors do)', () => {
    expect(tempo).not.toHaveProperty('metrics_generator');
    expect(JSON.stringify(tempo.overrides ?? {})).not.toMatch(/span-metrics|service-graphs/);
  });

  it('keeps traces as long as Loki keeps logs, on both retention owners', () => {
    const lokiRetention = (readYaml<Tree>('loki/loki.yaml').limits_config as Tree).retention_period;
    expect(tempo.backend_scheduler).toMatchObject({ provider: { compaction: { compaction: { block_retention: lokiRetention } } } });
    expect(tempo.backend_worker).toMatchObject({ compaction: { block_retention: lokiRetention } });
  });

  it('stores locally and does not report usage statistics', () => {
    expect(tempo.storage).toMatchObject({ trace: { backend: 'local' } });
    expect(tempo.usage_report).toEqual({ reporting_enabled: false });
  });
});
