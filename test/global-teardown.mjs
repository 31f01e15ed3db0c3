export { teardown as default } from './secret-scan.mjs';
