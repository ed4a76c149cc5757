import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_SKUS } from '../../src/domain/catalogue.ts';
import { SIGNUP_SOURCES } from '../../src/domain/model.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const sources = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
const files = [...sources('src'), ...sources('tests')]
  .filter((path) => !path.endsWith('single-definitions.test.ts')) // this file names what it looks for
  .map((path) => ({ path: relative(ROOT, join(ROOT, path)), text: readFileSync(join(ROOT, path), 'utf8') }));
const quoted = (values: readonly string[], text: string) => values.filter((v) => text.includes(`'${v}'`)).length;

// A list kept in two places drifts: the loadgen would order a SKU the seed no longer inserts.
describe('one definition each', () => {
  it('the list of SKUs lives in the domain catalogue only (the seed and the loadgen import it)', () => {
    expect(DEMO_SKUS.length).toBeGreaterThan(1);
    expect(files.filter((f) => quoted(DEMO_SKUS, f.text) === DEMO_SKUS.length).map((f) => f.path)).toEqual(['src/domain/catalogue.ts']);
  });

  it('the signup sources live in the domain model only', () => {
    expect(files.filter((f) => quoted(SIGNUP_SOURCES, f.text) === SIGNUP_SOURCES.length).map((f) => f.path)).toEqual([
      'src/domain/model.ts',
    ]);
  });

  it('UsageError and parseDuration are defined once, for both command-line tools', () => {
    expect(files.filter((f) => /class UsageError\b/.test(f.text)).map((f) => f.path)).toEqual(['src/cli/usage.ts']);
    expect(files.filter((f) => /function parseDuration\b/.test(f.text)).map((f) => f.path)).toEqual(['src/cli/usage.ts']);
  });
});
