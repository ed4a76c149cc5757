/**
 * Prometheus' pod discovery (kubernetes_sd_configs, role: pod) and relabelling applied to the rendered
 * pods, for the scrape jobs of deploy/kubernetes/helm/prometheus.yaml: which pod and port each job
 * keeps and with which target labels.
 */
import { find, rendered, type Container, type K8sObject } from './kubernetes.ts';

export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}
export interface ScrapeConfig {
  job_name: string;
  static_configs?: Array<{ targets: string[] }>;
  kubernetes_sd_configs?: Array<{ role: string }>;
  relabel_configs?: RelabelConfig[];
}

/** Prometheus' keep, drop and replace actions on one target's labels; undefined when dropped. */
export const relabel = (labels: Record<string, string>, rules: RelabelConfig[]): Record<string, string> | undefined => {
  const out = { ...labels };
  for (const rule of rules) {
    const value = (rule.source_labels ?? []).map((l) => out[l] ?? '').join(rule.separator ?? ';');
    const match = new RegExp(`^(?:${rule.regex ?? '(.*)'})$`).exec(value);
    const action = rule.action ?? 'replace';
    if (action === 'keep' && !match) return undefined;
    if (action === 'drop' && match) return undefined;
    if (action === 'replace' && match && rule.target_label) {
      out[rule.target_label] = (rule.replacement ?? '$1').replace(/\$\{?(\d+)\}?/g, (_w, i: string) => match[Number(i)] ?? '');
    }
  }
  return out;
};

/** Pod discovery's label names: every character Prometheus does not allow becomes `_`. */
export const sanitize = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, '_');

/**
 * The containers of a workload's pod as the cluster runs it: in the sidecar variant the OpenTelemetry
 * Operator adds `otc-container` as a native sidecar (an init container with restartPolicy Always) with
 * a `metrics` port from the config's telemetry reader (operator v0.148.0,
 * internal/manifests/collector/container.go and pkg/sidecar/pod.go). Prometheus discovers init
 * containers' ports too.
 */
const podContainers = (variant: string, workload: K8sObject): Container[] => {
  const spec = workload.spec?.template?.spec;
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  const inject = workload.spec?.template?.metadata?.annotations?.['sidecar.opentelemetry.io/inject'];
  if (inject) {
    const sidecar = find(variant, 'OpenTelemetryCollector', inject);
    containers.push({
      name: 'otc-container',
      image: sidecar.spec?.image ?? '',
      restartPolicy: 'Always',
      ports: [{ name: 'metrics', containerPort: 8888 }],
    });
  }
  return containers;
};

export interface Target {
  workload: string;
  port: number;
  labels: Record<string, string>;
}

/** The targets a pod-discovery job keeps: one per declared container port, relabelled. */
export const podTargets = (variant: string, job: ScrapeConfig): Target[] =>
  rendered(variant)
    .filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind))
    .flatMap((workload, index) =>
      podContainers(variant, workload).flatMap((c) =>
        (c.ports ?? []).flatMap((port) => {
          const podIp = `10.0.0.${index + 1}`;
          const meta: Record<string, string> = {
            ...Object.fromEntries(
              Object.entries(workload.spec?.template?.metadata?.labels ?? {}).map(([k, v]) => [
                `__meta_kubernetes_pod_label_${sanitize(k)}`,
                v,
              ]),
            ),
            __meta_kubernetes_pod_name: `${workload.metadata.name}-0`,
            __meta_kubernetes_pod_ip: podIp,
            __meta_kubernetes_pod_container_name: c.name,
            __meta_kubernetes_pod_container_init: String(c.restartPolicy === 'Always'),
            __meta_kubernetes_pod_container_port_name: port.name ?? '',
            __meta_kubernetes_pod_container_port_number: String(port.containerPort),
            __address__: `${podIp}:${port.containerPort}`,
            job: job.job_name,
          };
          const labels = relabel(meta, job.relabel_configs ?? []);
          if (!labels) return [];
          // Prometheus sets instance from the final __address__ and drops the __ labels.
          const kept = Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith('__')));
          return [{ workload: workload.metadata.name, port: port.containerPort, labels: { instance: labels.__address__ ?? '', ...kept } }];
        }),
      ),
    );
