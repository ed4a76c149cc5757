// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import direction: services (the shop's composition roots) → http → domain ← infra; cli (the kit's
 * tools: load, verify, profile, migrate, the healthcheck) → loadgen / selfcheck / profiling / infra.
 * The domain imports telemetry (withSpan, shopMetrics, attribute names) directly, not through a port:
 * telemetry sits on @opentelemetry/api only, a no-op until the bootstrap installs the SDK
 * (docs/decisions.md, "The domain imports telemetry, not a port"). telemetry, config and util are leaves.
 */
const forbid = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

/** The SDK side of OpenTelemetry: only the bootstrap (src/instrumentation) loads it. */
const SDK = ['**/instrumentation/**', '**/instrumentation.ts', '@opentelemetry/sdk-*', '@opentelemetry/exporter-*', '@opentelemetry/instrumentation*'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'grafana/dashboards/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'read settings in src/config only' },
      ],
    },
  },
  {
    files: ['src/config/**', 'src/instrumentation.ts', 'src/instrumentation/**', 'tests/**', 'scripts/**', 'grafana/src/**', 'src/loadgen/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/domain/**'],
    rules: forbid(
      ['hono', 'hono/*', 'postgres', 'redis', 'pino', 'undici', '**/infra/**', '**/http/**', '**/services/**', '**/cli/**', '**/config/**', ...SDK],
      'the domain stays pure: infra implements its ports; telemetry (API side only) it imports directly, docs/decisions.md',
    ),
  },
  {
    files: ['src/telemetry/**'],
    rules: forbid(
      ['hono', 'postgres', 'redis', 'pino', 'undici', '**/domain/**', '**/infra/**', '**/http/**', '**/services/**', '**/config/**', '**/cli/**', ...SDK],
      'telemetry is a leaf on @opentelemetry/api: the SDK is the bootstrap\'s (src/instrumentation)',
    ),
  },
  { files: ['src/infra/**'], rules: forbid(['**/http/**', '**/services/**', '**/cli/**'], 'infra implements domain ports; it does not know the HTTP layer') },
  { files: ['src/http/**'], rules: forbid(['**/infra/**', '**/services/**', '**/cli/**', 'postgres', 'redis', 'pino'], 'http talks to the domain, never to infra') },
  { files: ['src/config/**'], rules: forbid(['**/domain/**', '**/infra/**', '**/http/**', '**/services/**', '**/cli/**'], 'config is a leaf') },
  { files: ['src/util/**'], rules: forbid(['../**', '@opentelemetry/*'], 'util is a leaf: plain helpers with no project imports') },
  {
    files: ['src/loadgen/**', 'src/selfcheck/**', 'src/profiling/**'],
    rules: forbid(['**/services/**', '**/cli/commands.ts', '**/cli/service-command.ts', '**/cli/loadgen.ts', '**/cli/verify.ts', '**/cli/profile.ts', '**/cli/migrate.ts'], 'entry points import libraries, never the other way round (src/cli/usage.ts is shared)'),
  },
);
