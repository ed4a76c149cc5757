/**
 * A gateway that stops in Kubernetes (rollout, scale-in, node drain) loses nothing and counts nothing
 * twice: its preStop sleep keeps it running until the agents have dropped it from their rings and it
 * has finished with the last spans it got; only then does SIGTERM start the Collector's own shutdown.
 * The minimum sleep is derived here from the files that set its terms (collector/gateway.yaml, the
 * agents' configs), so changing one of them without the manifest fails.
 *
 * Upstream behaviour this relies on (Collector contrib 0.157.0):
 * - the load_balancing exporter's k8s resolver puts every address of the Service's EndpointSlices on
 *   the ring, ignoring the ready/terminating conditions (resolver_k8s_handler.go, convertToEndpoints):
 *   a terminating gateway would stay on the ring until its pod is deleted. The dns resolver asks for
 *   the headless Service's A records, which list ready pods only: the agents must use it.
 * - span_metrics and service_graph do not flush on shutdown (their Shutdown only stops the ticker):
 *   counts taken after the last flush are lost unless the gateway waits for one more flush.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readRepoFile } from './support/repo.ts';
import { DEFAULT, SIDECAR, find, type CollectorConfig } from './support/kubernetes.ts';

/** CoreDNS's kubernetes plugin answers with a 5 s TTL (its default), so a cached answer may list a gone gateway that long. */
const DNS_CACHE_SECONDS = 5;
/** What the Collector's own shutdown gets after preStop: decide pending traces, drain the exporters' queues (compose's 30 s). */
const SHUTDOWN_SECONDS = 30;

/** A Collector duration ("500ms", "5s", "1m", "1h") in seconds. */
const seconds = (value: unknown, what: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(value));
  if (!m) throw new Error(`${what}: not a duration: ${String(value)}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
};

interface GatewayConfig {
  processors: { tail_sampling: { decision_wait: string; drop_pending_traces_on_shutdown?: boolean } };
  connectors: Record<string, { metrics_flush_interval?: string; store?: { ttl?: string } }>;
}
const gateway = parse(readRepoFile('collector/gateway.yaml'), { merge: true }) as GatewayConfig;

/** The agents' configs as the pods load them: the DaemonSet's ConfigMap and the sidecar's spec.config. */
const agents: Array<[string, CollectorConfig]> = [
  ['DaemonSet otel-agent', parse(find(DEFAULT, 'ConfigMap', 'otel-agent-config').data?.['agent.yaml'] ?? '') as CollectorConfig],
  [
    'OpenTelemetryCollector otel-agent-sidecar',
    find(SIDECAR, 'OpenTelemetryCollector', 'otel-agent-sidecar').spec?.config as CollectorConfig,
  ],
];

const gatewayPod = (variant: string) => {
  const spec = find(variant, 'StatefulSet', 'otel-gateway').spec?.template?.spec;
  return { grace: spec?.terminationGracePeriodSeconds, preStop: spec?.containers[0]?.lifecycle?.preStop };
};

// 1. How long until every agent has dropped a terminating gateway from its ring.
const ringExit =
  Math.max(
    ...agents.map(([name, config]) => {
      const dns = config.exporters.load_balancing?.resolver?.dns;
      if (dns === undefined) throw new Error(`${name}: the load_balancing resolver is not dns`);
      // Set explicitly (the default is 5 s too): the number below must not depend on an upstream default.
      return seconds(dns.interval, `${name}: dns.interval`);
    }),
  ) + DNS_CACHE_SECONDS;
// 2. How long the gateway then still works on the last spans it got: the tail sampler decides them after
//    decision_wait, a service-graph edge completes (or expires) within store.ttl; then one more flush of the
//    connectors, which do not flush on shutdown.
const connectors = ['span_metrics', 'span_metrics/unkept', 'service_graph'];
const settle = Math.max(
  seconds(gateway.processors.tail_sampling.decision_wait, 'tail_sampling.decision_wait'),
  seconds(gateway.connectors.service_graph?.store?.ttl, 'service_graph.store.ttl'),
);
const flush = Math.max(
  ...connectors.map((name) => seconds(gateway.connectors[name]?.metrics_flush_interval, `${name}.metrics_flush_interval`)),
);
const minimum = ringExit + settle + flush;

describe('a gateway drains before it stops', () => {
  it('both agents find the gateways with the dns resolver (ready pods only), never the k8s resolver', () => {
    for (const [name, config] of agents) {
      expect(Object.keys(config.exporters.load_balancing?.resolver ?? {}), name).toEqual(['dns']);
    }
  });

  it('derives 35 s from the current files (5 s dns interval + 5 s DNS cache + 10 s decision_wait + 15 s flush)', () => {
    // Not a requirement: a reminder to update the comments in base/gateway.yaml and the docs when it moves.
    expect({ ringExit, settle, flush, minimum }).toEqual({ ringExit: 10, settle: 10, flush: 15, minimum: 35 });
  });

  it.each([DEFAULT, SIDECAR])('%s: preStop is a sleep of at least the derived minimum (the image has no shell)', (variant) => {
    const { preStop } = gatewayPod(variant);
    expect(preStop?.exec, 'no exec: the contrib image has no shell or sleep binary').toBeUndefined();
    expect(preStop?.sleep?.seconds, `preStop.sleep.seconds >= ${minimum}`).toBeGreaterThanOrEqual(minimum);
  });

  it.each([DEFAULT, SIDECAR])(`%s: the grace period exceeds preStop + the Collector's ${SHUTDOWN_SECONDS} s shutdown`, (variant) => {
    const { grace, preStop } = gatewayPod(variant);
    expect(grace).toBeGreaterThan((preStop?.sleep?.seconds ?? Infinity) + SHUTDOWN_SECONDS);
  });

  it('pending traces are decided at shutdown, not dropped', () => {
    expect(gateway.processors.tail_sampling.drop_pending_traces_on_shutdown ?? false).toBe(false);
  });

  it('the README and docs/scaling.md state the manifest numbers', () => {
    const { grace, preStop } = gatewayPod(DEFAULT);
    const scaling = readRepoFile('docs/scaling.md');
    const section = scaling.slice(scaling.indexOf('## Kubernetes: `deploy/kubernetes/`'));
    for (const [name, text] of [
      ['deploy/kubernetes/README.md', readRepoFile('deploy/kubernetes/README.md')],
      ['docs/scaling.md, Kubernetes section', section.slice(0, section.indexOf('\n## ', 1))],
    ] as const) {
      expect(text, name).toMatch(new RegExp(`preStop[^.]*?\\b${preStop?.sleep?.seconds} s`));
      expect(text, name).toMatch(new RegExp(`\\b${grace} s\\b`));
    }
  });
});
