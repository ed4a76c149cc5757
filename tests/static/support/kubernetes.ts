/**
 * tools/k8s-check (built by scripts/build-tools.sh) run on deploy/kubernetes and its sidecar overlay,
 * and readers of what it rendered, for the Kubernetes static tests.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { join } from 'node:path';
import { expect } from 'vitest';
import { repoPath } from './repo.ts';
import { builtTools } from '../../helpers/build-tools.ts';
import { tempDir } from '../../helpers/temp-dirs.ts';

// ------------------------------------------------------------------------------------------------
// The checker and its output

export const tools = builtTools(['otelcol', 'k8s-check']) as Record<'OTELCOL_BIN' | 'K8S_CHECK_BIN' | 'K8S_CHECK_CRDS', string>;

export interface CheckResult {
  status: number | null;
  output: string;
  objects: K8sObject[];
}

/**
 * Receiver types the Kubernetes Collectors use that our otelcol build lacks (collector/config.compose.yaml
 * says why): k8s-check validates their configs without them and names them in its "validated" line.
 */
export const UNBUILT = ['postgresql'];

/** Runs k8s-check on kustomization directories (relative to cwd) and returns its report. */
export const k8sCheck = (dirs: string[], cwd = repoPath()): CheckResult => {
  const out = join(tempDir('otelkit-k8s-'), 'rendered.json');
  const args = ['-otelcol', tools.OTELCOL_BIN, '-crds', tools.K8S_CHECK_CRDS, '-unbuilt', UNBUILT.join(','), '-out', out, ...dirs];
  const run = spawnSync(tools.K8S_CHECK_BIN, args, {
    cwd,
    encoding: 'utf8',
  });
  let objects: K8sObject[] = [];
  try {
    objects = JSON.parse(readFileSync(out, 'utf8')) as K8sObject[];
  } catch {
    // no output file: a usage error, reported through status and output
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}`, objects };
};

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface Container {
  name: string;
  image: string;
  restartPolicy?: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command: string[] }; httpGet?: Probe['httpGet'] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  priorityClassName?: string;
  topologySpreadConstraints?: Array<{
    maxSkew: number;
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector?: { matchLabels?: Record<string, string> };
  }>;
  volumes?: Array<{ name: string; configMap?: { name: string } }>;
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
    replicas?: number;
    serviceName?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
    strategy?: { type?: string };
    mode?: string;
    clusterIP?: string;
    internalTrafficPolicy?: string;
    ports?: Array<{ name?: string; port: number }>;
    selector?: Record<string, string>;
    config?: CollectorConfig;
    env?: EnvVar[];
    image?: string;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  };
  data?: Record<string, string>;
}
export interface CollectorConfig {
  exporters: Record<string, { resolver?: Record<string, Record<string, unknown>> } & Record<string, unknown>>;
  receivers: Record<string, unknown>;
  service: unknown;
}

export const DEFAULT = 'deploy/kubernetes';
export const SIDECAR = 'deploy/kubernetes/overlays/sidecar';
export const checks: Record<string, CheckResult> = { [DEFAULT]: k8sCheck([DEFAULT]), [SIDECAR]: k8sCheck([SIDECAR]) };
export const rendered = (variant: string): K8sObject[] => checks[variant]?.objects ?? [];

export const find = (variant: string, kind: string, name: string): K8sObject => {
  const found = rendered(variant).find((o) => o.kind === kind && (o.metadata.name === name || o.metadata.name.startsWith(`${name}-`)));
  if (found === undefined) throw new Error(`${variant}: no ${kind} ${name}`);
  return found;
};
export const container = (variant: string, kind: string, name: string): Container => {
  const c = find(variant, kind, name).spec?.template?.spec.containers[0];
  if (c === undefined) throw new Error(`${kind} ${name} has no container`);
  return c;
};
export const envOf = (env: EnvVar[] | undefined, name: string): string | undefined => env?.find((e) => e.name === name)?.value;

/**
 * A container's environment as the kubelet builds it: literal values with $(VAR) expanded, Secret
 * keys from the rendered Secret, downward-API fields as stand-ins. Optional refs to absent Secrets
 * leave the variable unset.
 */
export const resolveEnv = (variant: string, env: EnvVar[] = []): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const e of env) {
    if (e.value !== undefined) {
      out[e.name] = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => out[name] ?? whole);
    } else if (e.valueFrom?.fieldRef) {
      out[e.name] =
        { 'metadata.name': 'pod-0', 'metadata.namespace': 'otelkit', 'spec.nodeName': 'node-0' }[e.valueFrom.fieldRef.fieldPath] ?? 'x';
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const secret = rendered(variant).find((o) => o.kind === 'Secret' && o.metadata.name === ref.name);
      const data = secret?.data?.[ref.key];
      if (data !== undefined) out[e.name] = Buffer.from(data, 'base64').toString('utf8');
      else expect(ref.optional, `${e.name}: Secret ${ref.name} is not rendered, so the ref must be optional`).toBe(true);
    }
  }
  return out;
};

export const SHOP = ['api', 'payments', 'worker'] as const;
export const COLLECTORS = [
  [DEFAULT, 'DaemonSet', 'otel-agent'],
  [DEFAULT, 'StatefulSet', 'otel-gateway'],
  [SIDECAR, 'StatefulSet', 'otel-gateway'],
  [DEFAULT, 'Deployment', 'otel-dependency-metrics'],
] as const;
