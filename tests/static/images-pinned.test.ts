/**
 * (d) Every image is pinned by tag (no `latest`, no bare name), the pin is overridable through a
 * variable whose default .env.example documents, every image comes from the reviewed list of
 * multi-arch (amd64 + arm64) repositories, and the Collector image runs the same version as our
 * Builder distribution. Plus the operational conventions every service follows.
 */
import { describe, expect, it } from 'vitest';
import { envExample } from './support/compose-config.ts';
import { loadCompose, variablesIn, withDefaults } from './support/compose.ts';
import { readRepoFile, readYaml } from './support/repo.ts';

/**
 * Repositories checked to publish linux/amd64 and linux/arm64 for the pinned tags (Docker Hub
 * manifest lists). Adding an image means checking that and extending this list.
 */
const MULTI_ARCH_REPOSITORIES = new Set([
  'otelkit-app', // built locally for the machine's own architecture
  'postgres',
  'redis',
  'busybox',
  'otel/opentelemetry-collector-contrib',
  'prom/prometheus',
  'prom/alertmanager',
  'grafana/loki',
  'grafana/tempo',
  'grafana/grafana',
  'grafana/pyroscope',
]);

/** One-shot containers: they exit by design, so a restart policy would rerun them forever. */
const ONE_SHOT = new Set(['loadgen', 'collector-healthcheck-bin']);

const compose = loadCompose();
const services = Object.entries(compose.services);


const splitImage = (image: string): { repository: string; tag: string | undefined } => {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash
    ? { repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) }
    : { repository: withoutDigest, tag: undefined };
};

describe('image pins', () => {
  it.each(services)('%s has an image pinned by tag', (_name, service) => {
    expect(service.image, 'every service names its image (built ones too, so the tag is ours)').toBeDefined();
    const { tag } = splitImage(withDefaults(service.image ?? ''));
    expect(tag, 'tag present').toBeDefined();
    expect(tag).not.toBe('');
    expect(tag).not.toBe('latest');
  });

  it.each(services)('%s pins through a ${VAR:-default} documented in .env.example', (_name, service) => {
    const variables = variablesIn(service.image ?? '');
    expect(variables.length, 'the tag is overridable').toBeGreaterThan(0);
    const documented = envExample();
    for (const { name, fallback } of variables) {
      expect(documented.get(name), `${name} in .env.example`).toBe(fallback);
    }
  });

  it.each(services)('%s uses a reviewed multi-arch repository', (_name, service) => {
    expect(MULTI_ARCH_REPOSITORIES).toContain(splitImage(withDefaults(service.image ?? '')).repository);
  });

  it('detects an unpinned image (the check itself works)', () => {
    expect(splitImage('grafana/grafana').tag).toBeUndefined();
    expect(splitImage('grafana/grafana:latest').tag).toBe('latest');
    expect(splitImage('localhost:5000/grafana/grafana').tag).toBeUndefined();
  });

  it('runs the Collector image at the version of collector/builder-config.yaml', () => {
    type Components = Array<{ gomod?: string }>;
    const builder = readYaml<Record<string, Components | undefined>>('collector/builder-config.yaml');
    const kinds = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'];
    // The contrib image bundles contrib components; ours pins each as "<module> v0.X.Y".
    const contribVersions = new Set(
      kinds
        .flatMap((kind) => builder[kind] ?? [])
        .map((component) => component.gomod ?? '')
        .filter((gomod) => gomod.startsWith('github.com/open-telemetry/opentelemetry-collector-contrib/'))
        .map((gomod) => gomod.split(/\s+v/)[1]),
    );
    const imageVersion = splitImage(withDefaults(compose.services['otel-collector']?.image ?? '')).tag;
    expect(contribVersions.size, 'builder-config pins contrib components').toBeGreaterThan(0);
    expect([...contribVersions]).toEqual([imageVersion]);
  });

  /** The version a tools/<name>/go.mod pins for a module (`require <module> v<version>`). */
  const goModVersion = (tool: string, module: string): string | undefined =>
    new RegExp(`^\\s*${module.replaceAll('.', '\\.')} v(\\S+)`, 'm').exec(readRepoFile(`tools/${tool}/go.mod`))?.[1];

  it('runs the Prometheus image at the version the tests build (tools/prometheus)', () => {
    // Prometheus 3.MM.P is published as Go module version v0.3MM.P.
    const [, minor, patch] = /^0\.3(\d\d)\.(\d+)$/.exec(goModVersion('prometheus', 'github.com/prometheus/prometheus') ?? '') ?? [];
    expect(minor, 'tools/prometheus/go.mod pins github.com/prometheus/prometheus').toBeDefined();
    const imageVersion = splitImage(withDefaults(compose.services.prometheus?.image ?? '')).tag;
    expect(imageVersion).toBe(`v3.${Number(minor)}.${patch}`);
  });

  it('runs the Alertmanager image at the version the tests build (tools/alertmanager)', () => {
    const built = goModVersion('alertmanager', 'github.com/prometheus/alertmanager');
    expect(built, 'tools/alertmanager/go.mod pins github.com/prometheus/alertmanager').toBeDefined();
    const imageVersion = splitImage(withDefaults(compose.services.alertmanager?.image ?? '')).tag;
    expect(imageVersion).toBe(`v${built}`);
  });
});

describe('service conventions', () => {
  it.each(services)('%s has a healthcheck in exec form', (_name, service) => {
    expect(service.healthcheck?.disable).not.toBe(true);
    const test = service.healthcheck?.test;
    // Exec form with an explicit CMD / CMD-SHELL: a bare string would run through /bin/sh, which
    // the distroless images (Collector, Loki, Tempo) do not have.
    expect(Array.isArray(test), 'healthcheck.test is a list').toBe(true);
    expect(['CMD', 'CMD-SHELL']).toContain((test as string[])[0]);
  });

  it.each(services)('%s has a memory limit', (_name, service) => {
    expect(service.mem_limit ?? service.deploy?.resources?.limits?.memory).toBeDefined();
  });

  it.each(services.filter(([name]) => !ONE_SHOT.has(name)))('%s restarts unless stopped', (_name, service) => {
    expect(service.restart).toBe('unless-stopped');
  });

  it.each(services)('%s waits for healthy (or completed) dependencies only', (_name, service) => {
    const dependsOn = service.depends_on ?? {};
    expect(Array.isArray(dependsOn), 'long form with a condition').toBe(false);
    for (const [dependency, { condition }] of Object.entries(dependsOn as Record<string, { condition: string }>)) {
      const expected = ONE_SHOT.has(dependency) ? 'service_completed_successfully' : 'service_healthy';
      expect(condition, `depends_on ${dependency}`).toBe(expected);
    }
  });
});
