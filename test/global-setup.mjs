export { setup as default } from './secret-scan.mjs';
