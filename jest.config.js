/**
 * One jest run for the whole repository, in jest's native ESM mode (NestJS 12 is
 * ESM-only). Workspace packages are mapped to their TypeScript sources so tests
 * need no build; the packaging tests exercise the built output separately.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^nestjs-logup$': '<rootDir>/packages/nestjs-logup/src/index.ts',
    '^nestjs-logup/(testing|health|passport|swagger)$': '<rootDir>/packages/nestjs-logup/src/integrations/logup.$1.ts',
    '^logup-emulator$': '<rootDir>/packages/logup-emulator/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testMatch: [
    '<rootDir>/packages/*/src/**/*.spec.ts',
    '<rootDir>/sample-app/src/**/*.spec.ts',
    '<rootDir>/test/**/*.spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
    '<rootDir>/examples/**/*.spec.ts',
  ],
  testTimeout: 30000,
  // Collects every captured log line and fails the run if one holds a secret or token.
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
};
