/** tools/k8s-check fails on broken input: each kind of mistake it exists to catch, in a copy of deploy/kubernetes. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from './support/repo.ts';
import { DEFAULT, SIDECAR, k8sCheck } from './support/kubernetes.ts';
import { tempDir } from '../helpers/temp-dirs.ts';

describe('tools/k8s-check fails on broken input', () => {
  const scratch = (files: Record<string, string>): string => {
    const dir = tempDir('otelkit-k8s-bad-');
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [objects.yaml]\n');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const deployment = (spec: string) =>
    [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: t}\n---',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: t}\nspec:',
      spec,
    ].join('\n');
  const template = `  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
        - name: c
          image: busybox:1.37.0`;

  it('an unknown field', () => {
    const { status, output } = k8sCheck([scratch({ 'objects.yaml': deployment(`${template}\n          bogusField: 1`) })]);
    expect(status).toBe(1);
    expect(output).toContain('strict decoding error: unknown field "spec.template.spec.containers[0].bogusField"');
  });

  it('a wrong value type', () => {
    const { status, output } = k8sCheck([scratch({ 'objects.yaml': deployment(`  replicas: two\n${template}`) })]);
    expect(status).toBe(1);
    expect(output).toMatch(/cannot unmarshal string into Go struct field .*replicas of type int32/);
  });

  it('a kind no scheme knows, and a malformed quantity', () => {
    const unknownKind = k8sCheck([scratch({ 'objects.yaml': deployment(template).replace('kind: Deployment', 'kind: Deploymnet') })]);
    expect(unknownKind.status).toBe(1);
    expect(unknownKind.output).toMatch(/no kind "Deploymnet" is registered/);
    const quantity = k8sCheck([scratch({ 'objects.yaml': deployment(`${template}\n          resources: {limits: {memory: 10Qi}}`) })]);
    expect(quantity.status).toBe(1);
    expect(quantity.output).toMatch(/quantities must match the regular expression/);
  });

  it('names the API server would refuse: a port name over 15 characters, a label value with a space', () => {
    const { status, output } = k8sCheck([
      scratch({
        'objects.yaml': deployment(`${template}\n          ports: [{name: otlp-grpc-receiver, containerPort: 4317}]`).replace(
          'labels: {a: b}}',
          "labels: {a: b, tier: 'front end'}}",
        ),
      }),
    ]);
    expect(status).toBe(1);
    expect(output).toContain('port name "otlp-grpc-receiver": must be no more than 15 characters');
    expect(output).toMatch(/spec\.template\.metadata\.labels "tier" value "front end": a valid label must be/);
  });

  it('our copy of deploy/kubernetes with a broken Collector config, a missing env var, a bad CRD field and a writable root', () => {
    // The repository paths the kustomizations read, in a scratch tree of the same shape.
    const root = tempDir('otelkit-k8s-copy-');
    for (const path of ['deploy/kubernetes', 'collector', 'grafana/provisioning', 'grafana/dashboards', 'prometheus/rules']) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      cpSync(repoPath(path), join(root, path), { recursive: true });
    }
    const edit = (path: string, from: string | RegExp, to: string) => {
      const file = join(root, path);
      const text = readFileSync(file, 'utf8');
      const next = text.replace(from, to);
      expect(next, `${path}: ${String(from)} found`).not.toBe(text);
      writeFileSync(file, next);
    };
    edit(
      'deploy/kubernetes/collector/agent.yaml',
      'processors: [memory_limiter, resource_detection, transform/drop_argv]',
      'processors: [memory_limiter, nosuch]',
    );
    edit('deploy/kubernetes/agent-daemonset.yaml', /\n +- name: GATEWAY_HOSTNAME\n +value: [^\n]*/, '');
    edit('deploy/kubernetes/overlays/sidecar/otel-agent-sidecar.yaml', 'mode: sidecar', 'mode: sidecars');
    edit('deploy/kubernetes/base/shop-api.yaml', 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false');
    edit('deploy/kubernetes/agent-daemonset.yaml', 'priorityClassName: otelkit-node-agent', 'priorityClassName: nosuch-class');

    const { status, output } = k8sCheck([DEFAULT, SIDECAR], root);
    expect(status).toBe(1);
    expect(output).toMatch(
      /FAIL deploy\/kubernetes: DaemonSet otelkit\/otel-agent container otelcol: otelcol validate \/etc\/otelcol\/agent\.yaml: [^\n]*\n[\s\S]*nosuch/,
    );
    expect(output).toContain('uses ${env:GATEWAY_HOSTNAME} without a default, and it is not set');
    expect(output).toContain('OpenTelemetryCollector otelkit/otel-agent-sidecar: CRD schema: spec.mode in body should be one of');
    expect(output).toContain('Deployment otelkit/api container api: readOnlyRootFilesystem is not true');
    expect(output).toContain('DaemonSet otelkit/otel-agent: priorityClassName nosuch-class does not exist');
  });
});

// ------------------------------------------------------------------------------------------------
// Parity with the compose Collector tiers

/** A parsed Collector config without its load_balancing resolver. */
