/**
 * With the agent + gateway overlay, Prometheus scrapes every agent's and gateway's own metrics, so
 * the Collector alerts (rules/collector.yml, grouped by job and instance) and the Pipeline dashboard
 * cover both tiers. The overlay mounts prometheus/scrape-gateway-tiers.yml where prometheus.yml's
 * scrape_config_files glob finds it; the base stack mounts nothing there. Checked on the model the
 * real Compose loader resolves; promtool reads the files in tool-checks.test.ts.
 */
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveGatewayCompose } from '../helpers/gateway-compose.ts';
import { envExample, resolveCompose, type ResolvedService, writeEnvFile } from './support/compose-config.ts';
import { readYaml } from './support/repo.ts';

const TIER_SCRAPE_FILE = 'prometheus/scrape-gateway-tiers.yml';

interface PromConfig {
  scrape_config_files?: string[];
  scrape_configs?: Array<{ job_name: string; metric_name_escaping_scheme?: string; static_configs?: Array<{ targets: string[] }> }>;
}

interface TierConfig {
  service: { telemetry: { metrics: { readers: Array<{ pull?: { exporter: { prometheus: { port: number } } } }> } } };
}

const envFile = writeEnvFile(envExample());
const overlay = resolveGatewayCompose(envFile);
const base = resolveCompose('load', envFile);

/** Where prometheus.yml lives in the container: its directory anchors the relative scrape_config_files globs. */
const configDir = (prometheus: ResolvedService): string => {
  const mount = prometheus.volumes?.find((volume) => volume.source?.endsWith('/prometheus/prometheus.yml'));
  expect(mount, 'prometheus.yml mount').toBeDefined();
  return posix.dirname(mount!.target);
};

/** Container paths the scrape_config_files globs of prometheus.yml match (one `*` in the file name). */
const matchesScrapeGlob = (dir: string, target: string): boolean =>
  (readYaml<PromConfig>('prometheus/prometheus.yml').scrape_config_files ?? []).some((glob) => {
    const [prefix, suffix] = posix.join(dir, glob).split('*') as [string, string | undefined];
    return suffix !== undefined && target.startsWith(prefix) && target.endsWith(suffix) && !target.slice(prefix.length).includes('/');
  });

const scrapeMounts = (compose: { services: Record<string, ResolvedService> }) => {
  const prometheus = compose.services.prometheus!;
  const dir = configDir(prometheus);
  return (prometheus.volumes ?? []).filter((volume) => matchesScrapeGlob(dir, volume.target));
};

/** The overlay's services running a tier config, by the config file named in their command. */
const tierServices = (configFile: string): string[] =>
  Object.entries(overlay.services)
    .filter(([, service]) => (service.command ?? []).some((arg) => arg.endsWith(`/${configFile}`)))
    .map(([name]) => name)
    .sort();

const telemetryPort = (configFile: string): number => {
  const reader = readYaml<TierConfig>(`collector/${configFile}`).service.telemetry.metrics.readers.find((r) => r.pull);
  return reader!.pull!.exporter.prometheus.port;
};

const jobTargets = (job: string): string[] =>
  (readYaml<PromConfig>(TIER_SCRAPE_FILE).scrape_configs ?? [])
    .filter((config) => config.job_name === job)
    .flatMap((config) => config.static_configs ?? [])
    .flatMap((group) => group.targets)
    .sort();

describe('Prometheus scrapes the agent and gateway tiers in the overlay', () => {
  it('the overlay mounts the tier scrape file, read-only, where prometheus.yml looks for scrape config files', () => {
    const mounts = scrapeMounts(overlay);
    expect(mounts.map((volume) => volume.source?.endsWith(`/${TIER_SCRAPE_FILE}`))).toEqual([true]);
    expect(mounts[0]!.read_only).toBe(true);
  });

  it('the base stack mounts no scrape config file (the tiers do not exist there)', () => {
    expect(scrapeMounts(base)).toEqual([]);
  });

  it.each([
    ['otel-agent', 'agent.yaml'],
    ['otel-gateway', 'gateway.yaml'],
  ])('job %s scrapes exactly the services running collector/%s, on their telemetry port', (job, configFile) => {
    const services = tierServices(configFile);
    expect(services.length).toBeGreaterThan(0);
    expect(jobTargets(job)).toEqual(services.map((name) => `${name}:${telemetryPort(configFile)}`));
  });

  it('asks for underscore names, as the otel-collector job does (the rules use them)', () => {
    const jobs = readYaml<PromConfig>(TIER_SCRAPE_FILE).scrape_configs ?? [];
    expect(jobs.map((job) => job.job_name).sort()).toEqual(['otel-agent', 'otel-gateway']);
    for (const job of jobs) expect(job.metric_name_escaping_scheme, job.job_name).toBe('underscores');
  });
});
