import { defineConfig } from 'vitest/config';

// Integration and e2e tests run on Node's own module loader (no Vite module runner) with the OTel
// bootstrap preloaded, because instrumentations patch modules through Node's loader hooks and the
// Vite runner loads dependencies by absolute path, where those hooks never fire.
const nativeNode = {
  experimental: { viteModuleRunner: false },
  pool: 'forks' as const,
  // Temporary directories made with tests/helpers/temp-dirs.ts are removed after each test file.
  setupFiles: ['tests/helpers/remove-temp-dirs.ts'],
};

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          ...nativeNode,
        },
      },
      {
        test: {
          name: 'static',
          include: ['tests/static/**/*.test.ts'],
          ...nativeNode,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/helpers/require-backends.ts'],
          execArgv: ['--import', './tests/helpers/test-instrumentation.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
          ...nativeNode,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/helpers/require-backends.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          ...nativeNode,
        },
      },
      {
        // `npm run bench -- --smoke` as a child process: proves every benchmark part still produces numbers.
        test: {
          name: 'bench',
          include: ['tests/bench/**/*.test.ts'],
          globalSetup: ['tests/helpers/require-backends.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          ...nativeNode,
        },
      },
    ],
  },
});
