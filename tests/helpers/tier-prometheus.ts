import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { builtTool } from './build-tools.ts';
import { freePorts } from './collector-process.ts';
import { REPO_ROOT } from './service-process.ts';

interface ScrapeConfig {
  job_name: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
  relabel_configs?: unknown[];
}

/**
 * Our Prometheus build, scraping the agent and gateway tiers as docker-compose.gateway.yml does
 * (prometheus/scrape-gateway-tiers.yml, jobs otel-agent and otel-gateway) and evaluating
 * prometheus/rules/collector.yml. Each compose target (`otel-agent-api:8888`) is scraped at the
 * native address `nativeAddress` gives it and keeps its compose name as `instance`, so the rules see
 * the labels they see in compose. Test-only: scrape and evaluation every second instead of 15 s.
 */
export class TierPrometheus {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'otelkit-tier-prometheus-'));
  private port = 0;

  async start(nativeAddress: (composeTarget: string) => string): Promise<void> {
    const tiers = parse(readFileSync(join(REPO_ROOT, 'prometheus/scrape-gateway-tiers.yml'), 'utf8')) as { scrape_configs: ScrapeConfig[] };
    const scrapeConfigs = tiers.scrape_configs.map((job) => ({
      ...job,
      static_configs: job.static_configs.flatMap((group) =>
        group.targets.map((target) => ({ targets: [nativeAddress(target)], labels: { ...group.labels, __compose_target: target } })),
      ),
      relabel_configs: [...(job.relabel_configs ?? []), { source_labels: ['__compose_target'], target_label: 'instance' }],
    }));
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(REPO_ROOT, 'prometheus/rules/collector.yml')],
      scrape_configs: scrapeConfigs,
    };
    writeFileSync(join(this.dir, 'prometheus.yml'), stringify(config));
    ({ prometheus: this.port } = await freePorts('prometheus'));
    this.child = spawn(
      builtTool('PROMETHEUS_BIN'),
      [
        `--config.file=${join(this.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (
        await fetch(`http://127.0.0.1:${this.port}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('Prometheus for the Collector tiers not ready within 30 s');
  }

  /** Active alerts (pending and firing) with their labels. */
  async alerts(): Promise<Array<{ labels: Record<string, string>; state: string }>> {
    const body = (await (await fetch(`http://127.0.0.1:${this.port}/api/v1/alerts`)).json()) as {
      data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
    };
    return body.data.alerts;
  }

  stop(): void {
    this.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
