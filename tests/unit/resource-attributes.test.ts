import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseResourceAttributes } from '../../src/instrumentation/sdk.ts';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });

describe('the base resource', () => {
  it('takes service.version from package.json when the process was started by plain `node` (no npm_package_version)', () => {
    expect(baseResourceAttributes({})['service.version']).toBe(pkg.version);
    // npm's variable, when there is one, does not decide it either: package.json does.
    expect(baseResourceAttributes({ npm_package_version: '9.9.9' })['service.version']).toBe(pkg.version);
  });

  it('has no version written by hand anywhere in the code', () => {
    const literal = new RegExp(`['"\`]${pkg.version.replaceAll('.', '\\\\.')}['"\`]`);
    const offenders = [...files('src'), ...files('scripts')].filter((path) => literal.test(readFileSync(path, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('names deployment.environment.name from DEPLOYMENT_ENVIRONMENT, `development` when unset or blank', () => {
    expect(baseResourceAttributes({ DEPLOYMENT_ENVIRONMENT: 'staging' })['deployment.environment.name']).toBe('staging');
    expect(baseResourceAttributes({})['deployment.environment.name']).toBe('development');
    expect(baseResourceAttributes({ DEPLOYMENT_ENVIRONMENT: ' ' })['deployment.environment.name']).toBe('development');
  });
});
