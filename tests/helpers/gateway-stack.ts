/**
 * The native agent + gateway stack of tests/integration/gateway-topology.test.ts: ports and processes
 * (the shop traffic it gets: gateway-traffic.ts; what the sinks and the Collectors say: gateway-readings.ts).
 */
import { rmSync } from 'node:fs';

import { join } from 'node:path';
import { createClient } from 'redis';
import { TEST_DATABASE_URL } from './backends.ts';
import { portOverrides } from './collector-process.ts';
import { OtelcolProcess } from './gateway-topology.ts';
import { OtlpJsonReceiver } from './otlp-json-receiver.ts';
import { freePorts } from './ports.ts';
import { ServiceProcess, waitForHttp } from './service-process.ts';
import { newSession } from './shop-client.ts';
import { tempDir } from './temp-dirs.ts';

export const SAMPLING_PERCENTAGE = 25;
export const SLO_THRESHOLD_MS = 500;
export const ADMIN_TOKEN = 'gateway-topology-admin-token';
// Its own Redis database: the worker's consumer group must see only this test's order stream.
export const REDIS_URL = 'redis://127.0.0.1:6379/7';

// The ports of each process, which the OS assigns when the stack starts (0 until then).
const collectorPorts = () => ({ grpc: 0, http: 0, health: 0 });
const tierPorts = () => ({ grpc: 0, http: 0, health: 0, metrics: 0 });
export const SINKS = { a: collectorPorts(), b: collectorPorts() };
export const GATEWAYS = { a: { grpc: 0, health: 0, metrics: 0 }, b: { grpc: 0, health: 0, metrics: 0 } };
export const AGENTS = { api: tierPorts(), payments: tierPorts(), worker: tierPorts() };
export const SERVICES = { api: 0, payments: 0, worker: 0 };
export let API = '';
export let PAYMENTS = '';
export type Gateway = keyof typeof GATEWAYS;
export type Agent = keyof typeof AGENTS;

export const sinkDir = tempDir('otelkit-gateways-');
export const tracesFile = (gateway: Gateway) => join(sinkDir, gateway, 'traces.jsonl');
export const metricsFile = (gateway: Gateway) => join(sinkDir, gateway, 'metrics.jsonl');
export const collectors: OtelcolProcess[] = [];
export const services: ServiceProcess[] = [];
export const gateways = {} as Record<Gateway, OtelcolProcess>;
export const agents = {} as Record<Agent, OtelcolProcess>;
export const appMetrics = new OtlpJsonReceiver();
export let token = '';
export let email = '';

const start = (collector: OtelcolProcess) => {
  collectors.push(collector);
  return collector;
};

/** Starts sinks, gateways, agents and the three services, and opens a shop session. */
export async function startGatewayStack(): Promise<void> {
  for (const ports of [...Object.values(SINKS), ...Object.values(GATEWAYS), ...Object.values(AGENTS), SERVICES])
    Object.assign(ports, await freePorts(...Object.keys(ports)));
  API = `http://127.0.0.1:${SERVICES.api}`;
  PAYMENTS = `http://127.0.0.1:${SERVICES.payments}`;
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  await redis.flushDb();
  await redis.close();
  const appMetricsUrl = await appMetrics.start();

  for (const [name, ports] of Object.entries(SINKS))
    start(
      new OtelcolProcess(`sink ${name}`, ['--config', 'tests/e2e/sink-collector.yaml'], {
        SINK_DIR: join(sinkDir, name),
        SINK_GRPC_ENDPOINT: `127.0.0.1:${ports.grpc}`,
        SINK_HTTP_ENDPOINT: `127.0.0.1:${ports.http}`,
        SINK_HEALTH_ENDPOINT: `127.0.0.1:${ports.health}`,
      }),
    );
  for (const [name, ports] of Object.entries(GATEWAYS) as Array<[Gateway, (typeof GATEWAYS)[Gateway]]>) {
    const sink = SINKS[name];
    gateways[name] = start(
      new OtelcolProcess(
        `gateway ${name}`,
        [
          '--config',
          'collector/gateway.yaml',
          '--config',
          `yaml:receivers::otlp::protocols::grpc::endpoint: 127.0.0.1:${ports.grpc}`,
          '--config',
          `yaml:extensions::health_check::endpoint: 127.0.0.1:${ports.health}`,
          '--config',
          `yaml:service::telemetry::metrics::readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: ${ports.metrics}, without_units: true, without_type_suffix: true}}}}]`,
          '--config',
          'yaml:processors::tail_sampling::decision_wait: 5s',
          '--config',
          'yaml:connectors::span_metrics::metrics_flush_interval: 2s',
          '--config',
          'yaml:connectors::span_metrics/unkept::metrics_flush_interval: 2s',
          '--config',
          'yaml:connectors::service_graph::metrics_flush_interval: 2s',
        ],
        {
          HOSTNAME: `gateway-${name}`,
          OTELCOL_BIND_HOST: '127.0.0.1',
          GATEWAY_SAMPLING_PERCENTAGE: String(SAMPLING_PERCENTAGE),
          TEMPO_OTLP_ENDPOINT: `127.0.0.1:${sink.grpc}`,
          LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${sink.http}/otlp`,
          PROMETHEUS_OTLP_ENDPOINT: `http://127.0.0.1:${sink.http}/api/v1/otlp`,
        },
      ),
    );
  }
  for (const [name, ports] of Object.entries(AGENTS) as Array<[Agent, (typeof AGENTS)[Agent]]>)
    agents[name] = start(
      new OtelcolProcess(
        `agent ${name}`,
        [
          '--config',
          'collector/agent.yaml',
          ...portOverrides(ports),
          // The in-process receiver reads OTLP/JSON.
          '--config',
          'yaml:exporters::otlp_http/prometheus::encoding: json',
          '--config',
          'yaml:exporters::otlp_http/prometheus::compression: none',
        ],
        {
          OTELCOL_BIND_HOST: '127.0.0.1',
          GATEWAY_ENDPOINTS: `[127.0.0.1:${GATEWAYS.a.grpc}, 127.0.0.1:${GATEWAYS.b.grpc}]`,
          PROMETHEUS_OTLP_ENDPOINT: appMetricsUrl,
        },
      ),
    );
  await Promise.all([
    ...Object.entries(SINKS).map(([, ports], i) => collectors[i]!.ready(ports.health)),
    ...Object.entries(GATEWAYS).map(([name, ports]) => gateways[name as Gateway].ready(ports.health)),
    ...Object.entries(AGENTS).map(([name, ports]) => agents[name as Agent].ready(ports.health)),
  ]);

  const otel = (agent: Agent) => ({
    // As docker-compose.gateway.yml: OTLP/HTTP (protobuf) to the agent's 4318-style port.
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${AGENTS[agent].http}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=otelkit,deployment.environment.name=test',
    OTEL_BSP_SCHEDULE_DELAY: '1000',
    OTEL_BLRP_SCHEDULE_DELAY: '1000',
    OTEL_METRIC_EXPORT_INTERVAL: '2000',
  });
  const backends = { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL };
  const payments = new ServiceProcess('payments', {
    ...otel('payments'),
    PORT: String(SERVICES.payments),
    ADMIN_TOKEN,
    PAYMENTS_DECLINE_RATE: '0',
  }).start();
  const api = new ServiceProcess('api', {
    ...otel('api'),
    ...backends,
    PORT: String(SERVICES.api),
    PAYMENTS_URL: PAYMENTS,
    RATE_LIMIT_PER_MINUTE: '1000000',
  }).start();
  services.push(payments, api);
  await Promise.all([waitForHttp(`${PAYMENTS}/health/ready`, payments), waitForHttp(`${API}/health/ready`, api)]);
  // After the api: it runs the migrations the worker needs.
  const worker = new ServiceProcess('worker', {
    ...otel('worker'),
    ...backends,
    PORT: String(SERVICES.worker),
    WORKER_BLOCK_MS: '500',
  }).start();
  services.push(worker);
  await waitForHttp(`http://127.0.0.1:${SERVICES.worker}/health/ready`, worker);
  const session = await newSession(API);
  token = session.token;
  email = session.email;
}

export async function stopGatewayStack(): Promise<void> {
  await Promise.all(services.map((service) => service.stop('SIGKILL').catch(() => {})));
  await Promise.all(collectors.map((collector) => collector.stop('SIGKILL')));
  await appMetrics.close();
  rmSync(sinkDir, { recursive: true, force: true });
}
