// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import direction: services → http → domain ← infra; telemetry and config are leaves. */
const forbid = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

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
    rules: forbid(['hono', 'hono/*', 'postgres', 'redis', 'pino', 'undici', '**/infra/**', '**/http/**', '**/services/**'], 'the domain stays pure: infra implements its ports'),
  },
  {
    files: ['src/telemetry/**'],
    rules: forbid(['hono', 'postgres', 'redis', 'pino', 'undici', '**/domain/**', '**/infra/**', '**/http/**', '**/services/**', '**/config/**'], 'telemetry is a leaf'),
  },
  { files: ['src/infra/**'], rules: forbid(['**/http/**', '**/services/**'], 'infra implements domain ports; it does not know the HTTP layer') },
  { files: ['src/http/**'], rules: forbid(['**/infra/**', '**/services/**', 'postgres', 'redis', 'pino'], 'http talks to the domain, never to infra') },
  { files: ['src/config/**'], rules: forbid(['**/domain/**', '**/infra/**', '**/http/**', '**/services/**'], 'config is a leaf') },
);
