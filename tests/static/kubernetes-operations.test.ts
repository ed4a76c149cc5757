/**
 * How deploy/kubernetes behaves in operation, beyond what renders: stable gateway identity, QoS and
 * spreading of the gateways, the agent's priority and surge rollout, and the sidecar's shutdown order
 * under the pinned OpenTelemetry Operator.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRepoFile } from './support/repo.ts';
import { DEFAULT, SIDECAR, container, find, rendered, resolveEnv } from './support/kubernetes.ts';

describe('gateways: a StatefulSet behind the headless Service the agents resolve', () => {
  it.each([DEFAULT, SIDECAR])('%s: stable pod names otel-gateway-0..N-1, governed by the headless Service', (variant) => {
    expect(rendered(variant).some((o) => o.kind === 'Deployment' && o.metadata.name === 'otel-gateway')).toBe(false);
    const sts = find(variant, 'StatefulSet', 'otel-gateway');
    const service = find(variant, 'Service', 'otel-gateway');
    expect(sts.spec?.serviceName).toBe(service.metadata.name);
    expect(service.spec?.clusterIP).toBe('None');
    // The pod name is what collector/gateway.yaml makes its identity.
    expect(readRepoFile('collector/gateway.yaml')).toMatch(/service\.instance\.id:\s*\$\{env:HOSTNAME\}/);
  });

  it('both resolvers point at that Service', () => {
    const service = find(DEFAULT, 'Service', 'otel-gateway').metadata.name;
    expect(resolveEnv(DEFAULT, container(DEFAULT, 'DaemonSet', 'otel-agent').env).GATEWAY_HOSTNAME).toBe(`${service}.otelkit.svc`);
    const sidecar = find(SIDECAR, 'OpenTelemetryCollector', 'otel-agent-sidecar');
    expect(resolveEnv(SIDECAR, sidecar.spec?.env).GATEWAY_HOSTNAME).toBe(`${service}.otelkit.svc`);
  });

  it('Guaranteed QoS: requests equal limits for CPU and memory', () => {
    const { requests, limits } = container(DEFAULT, 'StatefulSet', 'otel-gateway').resources ?? {};
    for (const resource of ['cpu', 'memory']) {
      expect(requests?.[resource], resource).toBeDefined();
      expect(requests?.[resource], resource).toBe(limits?.[resource]);
    }
  });

  it('spread over nodes (hard) and zones (soft), counting the gateway pods', () => {
    const pod = find(DEFAULT, 'StatefulSet', 'otel-gateway').spec?.template;
    const spread = pod?.spec.topologySpreadConstraints ?? [];
    const byKey = Object.fromEntries(spread.map((c) => [c.topologyKey, c]));
    expect(byKey['kubernetes.io/hostname']?.whenUnsatisfiable).toBe('DoNotSchedule');
    expect(byKey['topology.kubernetes.io/zone']?.whenUnsatisfiable).toBe('ScheduleAnyway');
    for (const c of spread) {
      expect(c.maxSkew).toBe(1);
      for (const [k, v] of Object.entries(c.labelSelector?.matchLabels ?? {})) expect(pod?.metadata?.labels?.[k]).toBe(v);
    }
  });
});

describe('the agent DaemonSet', () => {
  it('runs with a PriorityClass defined in the manifests, above the apps and below the system classes', () => {
    const ds = find(DEFAULT, 'DaemonSet', 'otel-agent');
    const name = ds.spec?.template?.spec.priorityClassName;
    const pc = rendered(DEFAULT).find((o) => o.kind === 'PriorityClass' && o.metadata.name === name) as unknown as
      { value: number; globalDefault?: boolean } | undefined;
    expect(pc, `PriorityClass ${name}`).toBeDefined();
    expect(pc?.value).toBeGreaterThan(0);
    expect(pc?.value).toBeLessThan(1_000_000_000);
    expect(pc?.globalDefault).toBe(false);
    for (const o of rendered(DEFAULT).filter((x) => x.kind === 'Deployment')) {
      expect(o.spec?.template?.spec.priorityClassName, o.metadata.name).toBeUndefined();
    }
  });

  it('rolls out with a surge: the new agent is ready before the old one stops', () => {
    const update = find(DEFAULT, 'DaemonSet', 'otel-agent').spec?.updateStrategy;
    expect(update?.type).toBe('RollingUpdate');
    expect(update?.rollingUpdate?.maxUnavailable).toBe(0);
    expect(Number(update?.rollingUpdate?.maxSurge)).toBeGreaterThanOrEqual(1);
    // A surge pod next to the old one needs no host port (both sit behind the node-local Service).
    expect(JSON.stringify(container(DEFAULT, 'DaemonSet', 'otel-agent').ports)).not.toContain('hostPort');
  });
});

describe('the sidecar agent outlives its app on shutdown', () => {
  // The operator module tools/k8s-check is built with (its source is in the Go module cache then).
  const version = /github\.com\/open-telemetry\/opentelemetry-operator (v[\d.]+)/.exec(readRepoFile('tools/k8s-check/go.mod'))?.[1];
  const moduleDir = join(
    execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim(),
    `github.com/open-telemetry/opentelemetry-operator@${version}`,
  );

  it('the pinned operator injects a native sidecar (init container, restartPolicy Always) on Kubernetes 1.29+, with no setting', () => {
    expect(existsSync(moduleDir), `${moduleDir} (scripts/build-tools.sh k8s-check downloads it)`).toBe(true);
    const pod = readFileSync(join(moduleDir, 'pkg/sidecar/pod.go'), 'utf8');
    expect(pod).toMatch(
      /if cfg\.Internal\.NativeSidecarSupport \{\s*policy := corev1\.ContainerRestartPolicyAlways\s*container\.RestartPolicy = &policy[\s\S]*?pod\.Spec\.InitContainers = append\(pod\.Spec\.InitContainers, container\)/,
    );
    const detect = readFileSync(join(moduleDir, 'internal/autodetect/main.go'), 'utf8');
    expect(detect).toMatch(/func \(a \*autoDetect\) NativeSidecarSupport\(\)[\s\S]*?MustParseGeneric\("1\.29\.0"\)/);
    // No field of the resource turns it on or off: nothing to set in overlays/sidecar.
    expect(readFileSync(join(moduleDir, 'apis/v1beta1/opentelemetrycollector_types.go'), 'utf8')).not.toMatch(/[Nn]ative[Ss]idecar/);
    // The README states the requirement.
    expect(readRepoFile('deploy/kubernetes/README.md')).toMatch(/native sidecar[\s\S]{0,400}Kubernetes\s+1\.29 or newer/);
  });

  it('the app pods give the app its shutdown time and the sidecar time after it', () => {
    for (const name of ['api', 'payments', 'worker']) {
      const spec = find(SIDECAR, 'Deployment', name).spec?.template?.spec;
      const shutdown = Number(spec?.containers[0]?.env?.find((e) => e.name === 'SHUTDOWN_TIMEOUT_MS')?.value) / 1000;
      expect(spec?.terminationGracePeriodSeconds).toBeGreaterThan(shutdown);
    }
  });
});
