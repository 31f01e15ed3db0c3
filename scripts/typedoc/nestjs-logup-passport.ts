/**
 * `LogupStrategy`, the LogUp callback as a `@nestjs/passport` strategy.
 * @module nestjs-logup/passport
 */
export * from '../../packages/nestjs-logup/src/integrations/logup.passport.js';
