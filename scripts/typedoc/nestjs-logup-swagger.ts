/**
 * `@ApiLogup()` and `addLogupSecurity()`: the LogUp login in an OpenAPI document (`@nestjs/swagger`).
 * @module nestjs-logup/swagger
 */
export * from '../../packages/nestjs-logup/src/integrations/logup.swagger.js';
