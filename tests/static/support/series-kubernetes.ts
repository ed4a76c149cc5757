/**
 * A Kubernetes variant as a topology: the kustomize output as tools/k8s-check renders it (the same
 * renderer as tests/static/kubernetes.test.ts), and the scrape jobs of the Prometheus chart's values
 * (deploy/kubernetes/helm/prometheus.yaml) with their pod discovery and relabelling applied to the
 * rendered pods, so a job name or a relabel rule that misses a Collector shows as a missing series.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { join } from 'node:path';
import { parse } from 'yaml';
import { builtTools } from '../../helpers/build-tools.ts';
import { relabel, sanitize, type ScrapeConfig } from './kubernetes-scrape.ts';
import { readYaml, repoPath } from './repo.ts';
import {
  loadBalancingHosts,
  type CollectorConfig,
  type CollectorInstance,
  type ScrapeJob,
  type TargetKind,
  type Topology,
  mergeConfigs,
} from './topologies.ts';
import { tempDir } from '../../helpers/temp-dirs.ts';

interface Container {
  name: string;
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface K8sObject {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    mode?: string;
    config?: CollectorConfig;
    env?: Array<{ name: string; value?: string }>;
    selector?: Record<string, string>;
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: { containers: Container[]; volumes?: Array<{ name: string; configMap?: { name: string } }> };
    };
  };
  data?: Record<string, string>;
}

const rendered = new Map<string, K8sObject[]>();

/** The kustomization rendered by k8s-check (built by scripts/build-tools.sh), once per directory. */
export const renderKustomization = (dir: string): K8sObject[] => {
  const cached = rendered.get(dir);
  if (cached) return cached;
  const tools = builtTools(['otelcol', 'k8s-check']);
  const out = join(tempDir('otelkit-matrix-'), 'rendered.json');
  const run = spawnSync(tools.K8S_CHECK_BIN!, ['-otelcol', tools.OTELCOL_BIN!, '-crds', tools.K8S_CHECK_CRDS!, '-out', out, dir], {
    cwd: repoPath(),
    encoding: 'utf8',
  });
  let objects: K8sObject[];
  try {
    objects = JSON.parse(readFileSync(out, 'utf8')) as K8sObject[];
  } catch {
    throw new Error(`k8s-check rendered nothing for ${dir}: ${run.stdout}${run.stderr}`);
  }
  rendered.set(dir, objects);
  return objects;
};

const envOf = (env: Container['env']): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const e of env ?? [])
    if (e.value !== undefined)
      out[e.name] = e.value.replace(/\$\(([A-Za-z_]\w*)\)/g, (w, n: string) => out[n] ?? (n === 'K8S_NAMESPACE_NAME' ? 'otelkit' : w));
  return out;
};

interface Pod {
  workload: string;
  labels: Record<string, string>;
  containers: Array<Container & { collector?: CollectorInstance }>;
}

/** Pods of the workloads, with an OpenTelemetry Operator sidecar added where a pod asks for one. */
const podsOf = (objects: K8sObject[]): Pod[] => {
  const sidecars = objects.filter((o) => o.kind === 'OpenTelemetryCollector' && o.spec?.mode === 'sidecar');
  return objects
    .filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet'].includes(o.kind) && o.spec?.template)
    .map((o) => {
      const template = o.spec!.template!;
      const containers: Pod['containers'] = template.spec.containers.map((c) => {
        // Every --config file, merged in order as the Collector does (the dependency Collector loads two).
        const configArgs = (c.args ?? []).filter((a) => a.startsWith('--config=')).map((a) => a.slice('--config='.length));
        if (configArgs.length === 0) return c;
        const files: string[] = [];
        const texts = configArgs.map((configArg) => {
          const mount = c.volumeMounts?.find((m) => configArg.startsWith(`${m.mountPath}/`));
          const volume = template.spec.volumes?.find((v) => v.name === mount?.name);
          const map = objects.find((x) => x.kind === 'ConfigMap' && x.metadata.name === volume?.configMap?.name);
          const key = configArg.slice((mount?.mountPath.length ?? 0) + 1);
          files.push(`ConfigMap ${volume?.configMap?.name} ${key}`);
          return map?.data?.[key] ?? '{}';
        });
        const config = mergeConfigs(texts.map((text) => parse(text)));
        const collector = { name: o.metadata.name, config, files, fromApps: false, spansFrom: [] };
        return { ...c, collector };
      });
      const inject = template.metadata?.annotations?.['sidecar.opentelemetry.io/inject'];
      const sidecar = sidecars.find((s) => s.metadata.name === inject);
      if (sidecar) {
        // The operator names the injected container otc-container and gives it a `metrics` port
        // (8888) besides the receivers' ports: that is what a pod-discovery scrape job sees.
        containers.push({
          name: 'otc-container',
          env: sidecar.spec?.env,
          ports: [{ name: 'metrics', containerPort: 8888 }],
          collector: {
            name: `sidecar in ${o.metadata.name}`,
            config: sidecar.spec!.config!,
            files: [`OpenTelemetryCollector ${sidecar.metadata.name}`],
            fromApps: false,
            spansFrom: [],
          },
        });
      }
      return { workload: o.metadata.name, labels: template.metadata?.labels ?? {}, containers };
    });
};

// Prometheus' relabelling, and the label-name sanitising of pod discovery: kubernetes-scrape.ts.

/** One target per container port, with the meta labels role: pod discovery gives it. */
const podTargets = (pods: Pod[]) =>
  pods.flatMap((pod) =>
    pod.containers.flatMap((c) =>
      (c.ports ?? []).map((port) => ({
        collector: c.collector,
        labels: {
          ...Object.fromEntries(Object.entries(pod.labels).map(([k, v]) => [`__meta_kubernetes_pod_label_${sanitize(k)}`, v])),
          __meta_kubernetes_pod_name: `${pod.workload}-0`,
          __meta_kubernetes_pod_container_name: c.name,
          __meta_kubernetes_pod_container_port_name: port.name ?? '',
          __meta_kubernetes_pod_container_port_number: String(port.containerPort),
          __address__: `${pod.workload}-0:${port.containerPort}`,
        },
      })),
    ),
  );

const staticKind = (target: string): TargetKind => {
  const host = target.split(':')[0]!;
  return host === 'localhost'
    ? 'prometheus'
    : ((['alertmanager', 'loki', 'tempo', 'prometheus'].find((k) => host === k) as TargetKind | undefined) ?? 'unknown');
};

export const kubernetesTopology = (id: string, title: string, dir: string): Topology => {
  const objects = renderKustomization(dir);
  const pods = podsOf(objects);
  const collectors = pods.flatMap((p) => p.containers.flatMap((c) => (c.collector ? [c.collector] : [])));
  const serviceTargets = (host: string): string[] => {
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === host);
    return pods.filter((p) => Object.entries(service?.spec?.selector ?? {}).every(([k, v]) => p.labels[k] === v)).map((p) => p.workload);
  };
  for (const pod of pods) {
    for (const c of pod.containers) {
      const endpoint = envOf(c.env).OTEL_EXPORTER_OTLP_ENDPOINT;
      if (!endpoint) continue;
      const host = new URL(endpoint).hostname;
      const receivers =
        host === 'localhost'
          ? pod.containers.filter((x) => x.collector)
          : pods.filter((p) => serviceTargets(host).includes(p.workload)).flatMap((p) => p.containers);
      for (const r of receivers) if (r.collector) r.collector.fromApps = true;
    }
    for (const c of pod.containers) {
      if (!c.collector) continue;
      for (const host of loadBalancingHosts(c.collector.config, envOf(c.env))) {
        for (const target of collectors.filter((g) => serviceTargets(host).includes(g.name))) target.spansFrom.push(c.collector.name);
      }
    }
  }
  const values = readYaml<{ serverFiles: { 'prometheus.yml': { scrape_configs: ScrapeConfig[]; otlp: Topology['otlp'] } } }>(
    'deploy/kubernetes/helm/prometheus.yaml',
  );
  const server = values.serverFiles['prometheus.yml'];
  const jobs = new Map<string, ScrapeJob>();
  const add = (job: string, target: ScrapeJob['targets'][number]): void => {
    const entry = jobs.get(job) ?? { job, targets: [] };
    if (!entry.targets.some((t) => t.kind === target.kind && t.collector === target.collector)) entry.targets.push(target);
    jobs.set(job, entry);
  };
  for (const sc of server.scrape_configs) {
    for (const t of (sc.static_configs ?? []).flatMap((s) => s.targets)) add(sc.job_name, { kind: staticKind(t) });
    if (!sc.kubernetes_sd_configs?.some((d) => d.role === 'pod')) continue;
    for (const target of podTargets(pods)) {
      const labels = relabel({ ...target.labels, job: sc.job_name }, sc.relabel_configs ?? []);
      if (!labels) continue;
      add(labels.job ?? sc.job_name, target.collector ? { kind: 'collector', collector: target.collector.name } : { kind: 'unknown' });
    }
  }
  const files = [dir, 'deploy/kubernetes/helm/prometheus.yaml', ...new Set(collectors.flatMap((c) => c.files))];
  return { id, title, files, collectors, scrapeJobs: [...jobs.values()], otlp: server.otlp };
};
