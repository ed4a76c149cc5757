/** deploy/kubernetes's kustomizations read only the shared config files outside their directory. */
import { readdirSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFiles, readYaml, repoPath } from './support/repo.ts';

describe('kustomizations read only the shared config files outside deploy/kubernetes', () => {
  const ALLOWED = [
    /^collector\/gateway\.yaml$/,
    /^collector\/config\.compose\.yaml$/,
    /^grafana\/provisioning\/(datasources|dashboards)\/[\w-]+\.yaml$/,
    /^grafana\/dashboards\/[\w-]+\.json$/,
    /^prometheus\/rules\/[\w-]+\.yml$/,
  ];
  const kustomizations = listFiles('deploy/kubernetes', ['kustomization.yaml']);
  const inputs = kustomizations.flatMap((file) => {
    const k = readYaml<{ resources?: string[]; configMapGenerator?: Array<{ files?: string[] }> }>(file);
    const paths = [
      ...(k.resources ?? []),
      ...(k.configMapGenerator ?? []).flatMap((g) => g.files ?? []).map((f) => f.slice(f.indexOf('=') + 1)),
    ];
    return paths.map((p) => relative(repoPath(), resolve(repoPath(dirname(file)), p)));
  });

  it('every path outside deploy/kubernetes is an allowed shared file', () => {
    expect(kustomizations.length).toBeGreaterThanOrEqual(3);
    const outside = inputs.filter((p) => !p.startsWith('deploy/kubernetes'));
    for (const path of outside)
      expect(
        ALLOWED.some((re) => re.test(path)),
        path,
      ).toBe(true);
  });

  it('every dashboard and every rule file is in a ConfigMap', () => {
    for (const dir of ['grafana/dashboards', 'prometheus/rules']) {
      for (const file of readdirSync(repoPath(dir))) expect(inputs, `${dir}/${file}`).toContain(`${dir}/${file}`);
    }
  });
});
