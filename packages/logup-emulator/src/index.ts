export { LogupEmulator, startEmulator, dbAddressing } from './emulator.server.js';
export { DB_LIMITS } from './db-limits.js';
export { EmulatorClient } from './emulator.client.js';
export type {
  Db,
  DbValue,
  EmulatorGate,
  EmulatorLogin,
  EmulatorOptions,
  EmulatorStats,
  FaultEndpoint,
  FaultSpec,
} from './emulator.types.js';
