/**
 * `LogupHealthIndicator` for `@nestjs/terminus`.
 * @module nestjs-logup/health
 */
export * from '../../packages/nestjs-logup/src/integrations/logup.health.js';
