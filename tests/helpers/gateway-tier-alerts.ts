/**
 * The tier alerts of tests/integration/gateway-topology.test.ts: a Prometheus of our build
 * (tier-prometheus.ts) scraping the native agent + gateway stack (gateway-stack.ts) as the compose
 * overlay does, with the Collector alert rules, and the OtelCollectorTierDown alerts it fires.
 */
import { AGENTS, GATEWAYS } from './gateway-stack.ts';
import { TierPrometheus } from './tier-prometheus.ts';

const prometheus = new TierPrometheus();

/** Starts the tier Prometheus; the stack must be running (its ports are 0 until then). */
export async function startTierPrometheus(): Promise<void> {
  // The compose targets, at the ports the stack got.
  const native: Record<string, number> = {
    'otel-agent-api:8888': AGENTS.api.metrics,
    'otel-agent-payments:8888': AGENTS.payments.metrics,
    'otel-agent-worker:8888': AGENTS.worker.metrics,
    'otel-gateway-1:8888': GATEWAYS.a.metrics,
    'otel-gateway-2:8888': GATEWAYS.b.metrics,
  };
  await prometheus.start((target) => `127.0.0.1:${native[target] ?? 'unknown-compose-target'}`);
}

export const stopTierPrometheus = (): void => prometheus.stop();

type Alert = Awaited<ReturnType<TierPrometheus['alerts']>>[number];

/**
 * The firing OtelCollectorTierDown alerts of one gateway and one agent, named by their compose
 * instance (`otel-gateway-2:8888`), with how many others fire; undefined until both fire.
 */
export async function tierDownFiring(instances: {
  gateway: string;
  agent: string;
}): Promise<{ gateway: Alert; agent: Alert; others: number } | undefined> {
  const tierDown = (await prometheus.alerts()).filter((a) => a.labels.alertname === 'OtelCollectorTierDown' && a.state === 'firing');
  const gateway = tierDown.find((a) => a.labels.job === 'otel-gateway' && a.labels.instance === instances.gateway);
  const agent = tierDown.find((a) => a.labels.job === 'otel-agent' && a.labels.instance === instances.agent);
  return gateway && agent ? { gateway, agent, others: tierDown.length - 2 } : undefined;
}
