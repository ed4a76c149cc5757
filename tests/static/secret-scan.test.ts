/**
 * No secret in a committed file or in the image: every file git tracks (or would add: untracked
 * and not ignored) is scanned with the rules of support/secret-rules.ts, and every finding must be
 * on the allow-list below, which names each demo credential and test fixture with its reason. The
 * image is built only from the files the Dockerfile copies, and .dockerignore keeps local secret
 * files out of the build context. docs/security.md explains the demo settings.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath, readRepoFile } from './support/repo.ts';
import { type Finding, scanText } from './support/secret-rules.ts';

interface Allowed {
  values: string[];
  /** Where the values may appear (repository-relative path). */
  files: RegExp;
  reason: string;
}

const ALLOWED: Allowed[] = [
  {
    values: ['otelkit'],
    files: /./,
    reason:
      'the demo Postgres user and password (postgres://otelkit:otelkit@...): reachable inside the compose network only ' +
      '(the port is not published) and, for native runs and tests, on 127.0.0.1',
  },
  {
    values: ['otelkit-admin-token'],
    files: /^(?:\.env\.example|README\.md|docs\/(?:runbooks\/)?[\w-]+\.md|scripts\/[\w/-]+\.(?:sh|ts))$/,
    reason:
      'the demo ADMIN_TOKEN: set explicitly by .env.example (compose has no default), used by the runbooks against ' +
      'that local demo, and by the native test and benchmark stacks, which listen on 127.0.0.1 only',
  },
  {
    values: [
      'kustomize.config.k8s.io/v1beta1',
      'opentelemetry.io/v1beta1',
      'networking.k8s.io/v1',
      'scheduling.k8s.io/v1',
    ],
    files: /^(?:deploy\/kubernetes\/|tests\/static\/secret-scan\.test\.ts$)/,
    reason: 'Kubernetes API groups and versions (apiVersion, apiGroup): the generic-api-key rule reads the field name as a key',
  },
  {
    values: ['admin'],
    files: /^\.env\.example$/,
    reason: "Grafana's demo admin password, set explicitly by .env.example; docker-compose.yml requires the variable and has no default",
  },
  {
    values: [
      // Admin and session tokens the unit, integration and e2e tests start their services with.
      'unit-admin-token-123',
      'unit-admin-token-0123456789',
      'test-admin-token-0123456789',
      'e2e-admin-token-0123456789',
      'process-test-admin-token',
      'flag-token-0123',
      'gateway-topology-admin-token',
      'exit-telemetry-token-0123',
      'on-demand-profile-token',
      'env-token-0123',
      'tok_acme_0123456789abcdef',
      'tok_globex_0123456789abcdef',
      'a-real-password-4f9c',
      's3cret',
      'short',
      // Planted by the redaction tests, which then prove the value reaches no log, span or metric.
      'argv-secret-7Qx2Lk',
      'env-admin-token-9Zr4Tp',
      'env-unread-secret-3Mv8Wd',
      'db-url-password-5Hn1Cs',
      'redis-url-password-2Jd7Qe',
      'pyroscope-url-password-8Tc5Rv',
      'loadgen-target-password-4Wx9Pa',
      'request-password-6Ky3Bf',
      'collector-argv-secret-8Jd2Qw',
      'Sup3r-Secret-Passw0rd-7781',
      'E2e-Pa55word-never-stored-7741',
    ],
    files: /^tests\//,
    reason: 'fake credentials of the test suites: they guard nothing, and the redaction tests need them planted',
  },
];

/** Files git tracks, plus new files it would add (untracked and not ignored). */
const candidateFiles = (): string[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoPath(), encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);

const textOf = (file: string): string | undefined => {
  let bytes: Buffer;
  try {
    bytes = readFileSync(repoPath(file));
  } catch {
    return undefined; // listed by git but deleted in the work tree
  }
  return bytes.includes(0) ? undefined : bytes.toString('utf8');
};

const allowedBy = (finding: Finding): Allowed | undefined =>
  ALLOWED.find((entry) => entry.values.includes(finding.match) && entry.files.test(finding.file));

const files = candidateFiles();
const findings = files.flatMap((file) => {
  const text = textOf(file);
  return text === undefined ? [] : scanText(file, text);
});

const describeFinding = (f: Finding) => `${f.file}:${f.line} ${f.rule} ${JSON.stringify(f.match)}`;

describe('secret scan of the committed files', () => {
  it('scans the repository (git ls-files), not an empty list', () => {
    expect(files).toContain('docker-compose.yml');
    expect(files).toContain('.env.example');
    expect(files.length).toBeGreaterThan(100);
  });

  it('finds nothing that the allow-list does not name', () => {
    expect(findings.filter((f) => allowedBy(f) === undefined).map(describeFinding)).toEqual([]);
  });

  it('has no stale allow-list entry: each value is still found where it is allowed', () => {
    const used = new Set(findings.flatMap((f) => (allowedBy(f) === undefined ? [] : [f.match])));
    for (const entry of ALLOWED) for (const value of entry.values) expect(used, `${value} (${entry.reason})`).toContain(value);
  });
});

describe('the scanner can fail: planted secrets are found', () => {
  // Assembled at run time so that this file itself holds none of them.
  const join = (...parts: string[]) => parts.join('');
  const planted: Array<[rule: string, text: string]> = [
    ['private-key', join('-----BEGIN ', 'RSA PRIVATE KEY-----')],
    ['aws-access-token', join('aws = AKIA', 'IOSFODNN7EXAMPLE')],
    ['github-token', join('gh', 'p_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8')],
    ['slack-token', join('xo', 'xb-', '123456789012-abcdefABCDEF')],
    ['stripe-access-token', join('sk', '_live_', '4eC39HqLyjWDarjtT1zdp7dc')],
    ['jwt', join('ey', 'JhbGciOiJIUzI1NiJ9.ey', 'JzdWIiOiIxMjM0NTY3ODkwIn0.', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')],
    ['url-credentials', join('postgres://app:', 'Xq7-pR2v', '@db.internal:5432/shop')],
    ['generic-api-key', join('client_secret: "', 'q8Vd2LrX0t9ZmK4w', '"')],
    ['env-style-secret', join('DB_PASS', 'WORD=', 'hunter2hunter2')],
    ['env-style-secret', join('ADMIN_TO', 'KEN: ${ADMIN_TOKEN:-', 'some-default-token}')],
  ];

  it.each(planted)('%s', (rule, text) => {
    const found = scanText('fixture.env', text);
    expect(found.map((f) => f.rule)).toContain(rule);
    expect(found.every((f) => allowedBy(f) === undefined)).toBe(true);
  });

  it('a demo value outside the files the allow-list names is still a finding', () => {
    const finding = scanText('src/config/fields.ts', join("const ADMIN_TOKEN = '", 'otelkit-admin-token', "';"))[0];
    expect(finding?.rule).toBe('env-style-secret');
    expect(allowedBy(finding!)).toBeUndefined();
  });

  it('placeholders and references are not findings', () => {
    for (const text of [
      'DATABASE_URL=postgres://${PGUSER}:${PGPASSWORD}@db:5432/x',
      'GF_SECURITY_ADMIN_PASSWORD: ${GRAFANA_ADMIN_PASSWORD:?set it}',
      'ADMIN_TOKEN: ${ADMIN_TOKEN:-}',
      'http.response.status_code=500',
    ]) {
      expect(scanText('fixture.yml', text), text).toEqual([]);
    }
    expect(scanText('src/x.ts', 'ADMIN_TOKEN: config.adminToken,')).toEqual([]);
  });
});

describe('the image build context', () => {
  const dockerignore = readRepoFile('.dockerignore')
    .split('\n')
    .map((line) => line.trim());

  it('.dockerignore keeps local secret files and the git history out of the context', () => {
    for (const pattern of ['.env', '.env.*', '*.pem', '*.key', '.npmrc', '.git']) expect(dockerignore).toContain(pattern);
  });

  it('the Dockerfile copies only the manifests, the TypeScript config and src/ from the context', () => {
    const sources = [...readRepoFile('Dockerfile').matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? '').split(/\s+/),
    );
    expect(new Set(sources)).toEqual(new Set(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src']));
  });
});
