// Stands in for ../../shared/src/app.module.ts so that this repository's type-check
// resolves main.ts; scripts/consumer-tests.mjs copies the real file over it.
export { AppModule } from '../../shared/src/app.module.js';
