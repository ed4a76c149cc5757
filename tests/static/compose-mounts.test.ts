/**
 * (b) Every file or directory a service bind-mounts or builds from exists in the repository, and every
 * named volume is declared. A missing bind-mount source makes Docker create an empty *directory*
 * in its place, and the service then fails with a confusing "is a directory" error.
 */
import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCompose } from './support/compose.ts';
import { repoPath } from './support/repo.ts';

const compose = loadCompose();

interface Mount {
  service: string;
  source: string;
  target: string;
}

/** Bind mounts with a relative source (./x:/y); absolute host paths like /:/hostfs are not repo files. */
const bindMounts = (): Mount[] =>
  Object.entries(compose.services).flatMap(([service, definition]) =>
    (definition.volumes ?? []).flatMap((volume) => {
      const [source = '', target = ''] = typeof volume === 'string' ? volume.split(':') : [volume.source ?? '', volume.target];
      return source.startsWith('.') ? [{ service, source, target }] : [];
    }),
  );

const namedVolumes = (): Array<{ service: string; name: string }> =>
  Object.entries(compose.services).flatMap(([service, definition]) =>
    (definition.volumes ?? []).flatMap((volume) => {
      const source = typeof volume === 'string' ? (volume.split(':')[0] ?? '') : (volume.source ?? '');
      return source !== '' && !source.startsWith('.') && !source.startsWith('/') ? [{ service, name: source }] : [];
    }),
  );

describe('compose mounts and build contexts', () => {
  it('mounts at least the configuration of every backend', () => {
    expect(bindMounts().map((mount) => mount.source)).toEqual(
      expect.arrayContaining([
        './collector/config.yaml',
        './collector/config.compose.yaml',
        './prometheus/prometheus.yml',
        './prometheus/rules',
        './alertmanager/alertmanager.yml',
        './loki/loki.yaml',
        './tempo/tempo.yaml',
        './grafana/provisioning',
        './grafana/dashboards',
      ]),
    );
  });

  it.each(bindMounts().map((mount) => [`${mount.service}: ${mount.source}`, mount]))('%s exists', (_name, mount) => {
    expect(existsSync(repoPath(mount.source)), `${mount.source} (mounted at ${mount.target})`).toBe(true);
  });

  it('mounts a file where the container expects a file (the target has an extension)', () => {
    for (const mount of bindMounts()) {
      const targetIsFile = /\.[a-z]+$/.test(mount.target);
      if (!targetIsFile || !existsSync(repoPath(mount.source))) continue;
      expect(statSync(repoPath(mount.source)).isFile(), `${mount.source} -> ${mount.target}`).toBe(true);
    }
  });

  it('declares every named volume at the top level', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const { service, name } of namedVolumes()) {
      expect(declared, `volume ${name} of ${service}`).toContain(name);
    }
  });

  it('keeps the state of postgres, prometheus, loki, tempo and grafana in named volumes', () => {
    const owners = new Set(namedVolumes().map((volume) => volume.service));
    for (const service of ['postgres', 'prometheus', 'loki', 'tempo', 'grafana']) expect(owners).toContain(service);
  });

  it('builds the app image from a Dockerfile in the repository', () => {
    const contexts = Object.values(compose.services).flatMap((service) =>
      service.build === undefined ? [] : [typeof service.build === 'string' ? service.build : service.build.context],
    );
    expect(contexts.length).toBeGreaterThan(0);
    for (const context of new Set(contexts)) expect(existsSync(repoPath(context, 'Dockerfile')), `${context}/Dockerfile`).toBe(true);
  });
});
