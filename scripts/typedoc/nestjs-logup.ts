/**
 * The NestJS module for LogUp: `LogupModule`, `LogupService`, `LogupGuard`, the decorators and the errors.
 * @module nestjs-logup
 */
export * from '../../packages/nestjs-logup/src/index.js';
