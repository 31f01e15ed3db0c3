/**
 * A local LogUp for tests and local runs: REST API, hosted login page, faults, stats.
 * @module logup-emulator
 */
export * from '../../packages/logup-emulator/src/index.js';
