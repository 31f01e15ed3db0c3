/**
 * Unit-test helpers: `LogupTestGuard` and `createTestSubscription()`.
 * @module nestjs-logup/testing
 */
export * from '../../packages/nestjs-logup/src/integrations/logup.testing.js';
