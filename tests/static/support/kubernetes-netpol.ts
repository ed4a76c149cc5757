/**
 * NetworkPolicy semantics (networking.k8s.io/v1) over the rendered policies of a variant: whether a
 * TCP connection from one pod to another pod's port is allowed. A connection needs both ends: the
 * sender's egress (when any policy with policyType Egress selects it) and the receiver's ingress
 * (likewise). Pods outside the namespace have no policies here. Backends of the Helm charts are
 * modelled by the labels their charts give them (app.kubernetes.io/name = the chart name).
 */
import { rendered } from './kubernetes.ts';

export interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** A destination that is no pod (the Kubernetes API server): only ipBlock or any-peer rules match. */
  external?: boolean;
}
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string };
}
interface Rule {
  ports?: Array<{ protocol?: string; port?: number | string }>;
  to?: Peer[];
  from?: Peer[];
}
interface Policy {
  metadata: { name: string; namespace?: string };
  spec: { podSelector: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
}

const NAMESPACE = 'otelkit';
const namespaceLabels = (ns: string): Record<string, string> => ({ 'kubernetes.io/metadata.name': ns });

export const matches = (selector: Selector, labels: Record<string, string>): boolean =>
  Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector.matchExpressions ?? []).every((e) => {
    const has = e.key in labels;
    if (e.operator === 'In') return has && (e.values ?? []).includes(labels[e.key] ?? '');
    if (e.operator === 'NotIn') return !has || !(e.values ?? []).includes(labels[e.key] ?? '');
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    throw new Error(`unknown operator ${e.operator}`);
  });

const peerMatches = (peer: Peer, pod: Pod): boolean => {
  if (peer.ipBlock) return true; // an address range (we only use ports-only rules; a CIDR would need the addresses)
  if (pod.external) return false;
  const namespaceOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector, namespaceLabels(pod.namespace))
    : pod.namespace === NAMESPACE;
  return namespaceOk && (peer.podSelector ? matches(peer.podSelector, pod.labels) : true);
};

const ruleAllows = (rule: Rule, peers: Peer[] | undefined, other: Pod, port: number): boolean =>
  (rule.ports === undefined || rule.ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === port))) &&
  (peers === undefined || peers.some((peer) => peerMatches(peer, other)));

export const policies = (variant: string): Policy[] => rendered(variant).filter((o) => o.kind === 'NetworkPolicy') as unknown as Policy[];

const side = (variant: string, pod: Pod, type: 'Ingress' | 'Egress', other: Pod, port: number): boolean => {
  if (pod.external || pod.namespace !== NAMESPACE) return true;
  const selecting = policies(variant).filter(
    (p) => (p.spec.policyTypes ?? ['Ingress']).includes(type) && matches(p.spec.podSelector, pod.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    type === 'Ingress'
      ? (p.spec.ingress ?? []).some((r) => ruleAllows(r, r.from, other, port))
      : (p.spec.egress ?? []).some((r) => ruleAllows(r, r.to, other, port)),
  );
};

/** Whether `from` may open a TCP connection to `to` on `port` under the variant's policies. */
export const allowed = (variant: string, from: Pod, to: Pod, port: number): boolean =>
  side(variant, from, 'Egress', to, port) && side(variant, to, 'Ingress', from, port);

/** The pods of a variant: our workloads' pod templates, the charts' backends, and outsiders. */
export const podsOf = (variant: string): Record<string, Pod> => {
  const pods: Record<string, Pod> = {};
  for (const o of rendered(variant)) {
    const labels = o.spec?.template?.metadata?.labels;
    if (labels && ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind))
      pods[o.metadata.name] = { name: o.metadata.name, namespace: NAMESPACE, labels };
  }
  for (const chart of ['prometheus', 'alertmanager', 'loki', 'tempo', 'grafana', 'pyroscope']) {
    pods[chart] = { name: chart, namespace: NAMESPACE, labels: { 'app.kubernetes.io/name': chart, 'app.kubernetes.io/instance': chart } };
  }
  pods['kube-dns'] = { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
  pods.outsider = { name: 'outsider', namespace: 'elsewhere', labels: { app: 'outsider' } };
  pods.stranger = { name: 'stranger', namespace: NAMESPACE, labels: { app: 'stranger' } };
  pods.apiserver = { name: 'apiserver', namespace: 'default', labels: {}, external: true };
  return pods;
};
