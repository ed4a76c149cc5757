/**
 * deploy/kubernetes's NetworkPolicies (base/network-policies*.yaml, overlays/sidecar/network-policies.yaml)
 * evaluated on the rendered pods: the flows of the topology are allowed, and nothing else, so Redis,
 * Prometheus' port (OTLP write, lifecycle API) and the OTLP receivers are closed to other pods.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT, SHOP, SIDECAR } from './support/kubernetes.ts';
import { allowed, podsOf, policies } from './support/kubernetes-netpol.ts';

type Flow = [from: string, to: string, port: number];

/** The diagram's flows (deploy/kubernetes/README.md, docs/topology.md) in both variants. */
const FLOWS: Flow[] = [
  ['api', 'postgres', 5432],
  ['api', 'redis', 6379],
  ['api', 'payments', 8081],
  ['worker', 'postgres', 5432],
  ['worker', 'redis', 6379],
  ['alertmanager', 'worker', 8082],
  ['outsider', 'api', 8080],
  ['outsider', 'grafana', 3000],
  ...SHOP.map((s): Flow => [s, 'pyroscope', 4040]),
  ['otel-gateway', 'tempo', 4317],
  ['otel-gateway', 'loki', 3100],
  ['otel-gateway', 'prometheus', 9090],
  ['otel-dependency-metrics', 'postgres', 5432],
  ['otel-dependency-metrics', 'redis', 6379],
  ['otel-dependency-metrics', 'prometheus', 9090],
  ['prometheus', 'otel-gateway', 8888],
  ['prometheus', 'otel-dependency-metrics', 8888],
  ['prometheus', 'alertmanager', 9093],
  ['prometheus', 'loki', 3100],
  ['prometheus', 'tempo', 3200],
  ['prometheus', 'apiserver', 443],
  ...['prometheus', 'loki', 'tempo', 'alertmanager', 'pyroscope'].map((b): Flow => [
    'grafana',
    b,
    { prometheus: 9090, loki: 3100, tempo: 3200, alertmanager: 9093, pyroscope: 4040 }[b] ?? 0,
  ]),
  ...['api', 'worker', 'redis', 'prometheus', 'otel-gateway'].map((p): Flow => [p, 'kube-dns', 53]),
];
const DAEMONSET_FLOWS: Flow[] = [
  ...SHOP.flatMap((s): Flow[] => [
    [s, 'otel-agent', 4318],
    [s, 'otel-agent', 4317],
  ]),
  ['otel-agent', 'otel-gateway', 4317],
  ['otel-agent', 'prometheus', 9090],
  ['prometheus', 'otel-agent', 8888],
];
const SIDECAR_FLOWS: Flow[] = SHOP.flatMap((s): Flow[] => [
  [s, 'otel-gateway', 4317],
  [s, 'prometheus', 9090],
  ['prometheus', s, 8888],
]);

/** Flows that must stay closed: each would open a backend, a receiver or a shortcut of the diagram. */
const CLOSED: Flow[] = [
  ...['outsider', 'stranger'].flatMap((who): Flow[] => [
    [who, 'redis', 6379],
    [who, 'postgres', 5432],
    [who, 'prometheus', 9090],
    [who, 'alertmanager', 9093],
    [who, 'otel-gateway', 4317],
    [who, 'otel-dependency-metrics', 8888],
    [who, 'worker', 8082],
    [who, 'payments', 8081],
    [who, 'loki', 3100],
    [who, 'tempo', 4317],
  ]),
  ['api', 'loki', 3100],
  ['payments', 'redis', 6379],
  ['payments', 'postgres', 5432],
  ['worker', 'payments', 8081],
  ['grafana', 'redis', 6379],
  ['grafana', 'postgres', 5432],
  ['otel-gateway', 'redis', 6379],
  ['redis', 'outsider', 443],
  ['api', 'apiserver', 443],
];
const DAEMONSET_CLOSED: Flow[] = [
  // The apps write no metrics to Prometheus themselves (in the sidecar variant their pod holds the agent that does).
  ['api', 'prometheus', 9090],
  ['outsider', 'otel-agent', 4318],
  ['stranger', 'otel-agent', 4317],
  ['grafana', 'otel-agent', 4318],
  ['otel-agent', 'tempo', 4317],
  ['otel-agent', 'loki', 3100],
  ['api', 'otel-gateway', 4317],
  // The agent's dns resolver reads DNS only: no way to the Kubernetes API (Prometheus alone needs it).
  ['otel-agent', 'apiserver', 443],
  ['otel-agent', 'apiserver', 6443],
];
const SIDECAR_CLOSED: Flow[] = [
  ['outsider', 'api', 8888],
  ['stranger', 'worker', 8888],
  ['api', 'tempo', 4317],
];

const label = ([from, to, port]: Flow) => `${from} -> ${to}:${port}`;

describe.each([
  [DEFAULT, [...FLOWS, ...DAEMONSET_FLOWS], [...CLOSED, ...DAEMONSET_CLOSED]],
  [SIDECAR, [...FLOWS, ...SIDECAR_FLOWS], [...CLOSED, ...SIDECAR_CLOSED]],
] as const)('network policies of %s', (variant, open, closed) => {
  const pods = podsOf(variant);
  const pod = (name: string) => {
    const p = pods[name];
    if (!p) throw new Error(`${variant}: no pod ${name}`);
    return p;
  };

  it('deny everything by default, in and out, for every pod of the namespace', () => {
    const deny = policies(variant).find((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress);
    expect(deny?.spec.policyTypes?.sort()).toEqual(['Egress', 'Ingress']);
  });

  it.each(open.map((f) => [label(f), f] as const))('allow %s', (_l, [from, to, port]) => {
    expect(allowed(variant, pod(from), pod(to), port)).toBe(true);
  });

  it.each(closed.map((f) => [label(f), f] as const))('refuse %s', (_l, [from, to, port]) => {
    expect(allowed(variant, pod(from), pod(to), port)).toBe(false);
  });
});
