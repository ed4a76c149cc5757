/**
 * (a) docker-compose.yml is valid against the Compose Specification schema. No Docker engine runs
 * here, so this is what catches a typo in a service key, a wrong depends_on condition or a malformed
 * healthcheck before a user's `docker compose up` does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import * as formatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { ComposeFile } from './support/compose.ts';
import { loadCompose } from './support/compose.ts';
import { readYaml, repoPath } from './support/repo.ts';

// ajv-formats is CommonJS with only a default export: from ESM, `.default` is module.exports (the
// plugin function), and the plugin carries itself again as `.default`, which is what TypeScript types.
const addFormats = formatsModule.default.default;

const validator = () => {
  // A copy kept in the repository (origin and licence: tests/static/schemas/README.md).
  const schema = JSON.parse(readFileSync(repoPath('tests', 'static', 'schemas', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // ajv does not know the draft-07 id spelled with https and without '#'; the schema is plain draft-07.
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
};

const validate = validator();
const errorsOf = (doc: unknown): string[] =>
  validate(doc) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);

/** docker-compose.<name>.yml files beside docker-compose.yml: overlays merged over it with -f. */
const overlays = readdirSync(repoPath()).filter((file) => /^docker-compose\.[a-z0-9-]+\.yml$/.test(file));

/** A deep copy of the compose file that a test may break. */
const copy = (): ComposeFile => structuredClone(loadCompose());

describe('docker-compose.yml against the Compose Specification schema', () => {
  it('is valid', () => {
    expect(errorsOf(loadCompose())).toEqual([]);
  });

  it.each(overlays)('overlay %s is valid', (file) => {
    expect(errorsOf(readYaml(file))).toEqual([]);
  });

  it('has at least the host-metrics overlay to check', () => {
    expect(overlays).toContain('docker-compose.hostmetrics.yml');
  });

  it('has no top-level version key (obsolete in the Compose Specification)', () => {
    expect(loadCompose()).not.toHaveProperty('version');
  });

  it('rejects an unknown service key (a typo like "healtcheck")', () => {
    const broken = copy() as unknown as { services: Record<string, Record<string, unknown>> };
    const api = broken.services.api ?? {};
    api.healtcheck = api.healthcheck;
    delete api.healthcheck;
    expect(errorsOf(broken).length).toBeGreaterThan(0);
  });

  it('rejects a wrong depends_on condition', () => {
    const broken = copy();
    broken.services.api!.depends_on = { postgres: { condition: 'service_ready' } };
    expect(errorsOf(broken).join('\n')).toMatch(/depends_on/);
  });

  it('rejects a malformed healthcheck (interval as a number, a misspelled key)', () => {
    const broken = copy() as unknown as { services: Record<string, { healthcheck: Record<string, unknown> }> };
    broken.services.postgres!.healthcheck.interval = 5;
    broken.services.redis!.healthcheck.start_perod = '10s';
    const errors = errorsOf(broken).join('\n');
    expect(errors).toMatch(/postgres\/healthcheck\/interval/);
    expect(errors).toMatch(/redis\/healthcheck/);
  });
});
