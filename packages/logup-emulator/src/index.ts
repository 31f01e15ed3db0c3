export { LogupEmulator, startEmulator } from './emulator.server.js';
export { EmulatorClient } from './emulator.client.js';
export { LOGUP_API_VERSION_PATTERN, LOGUP_DB_LIMITS } from './logup.constants.js';
import { LOGUP_DB_LIMITS } from './logup.constants.js';
/** @deprecated Use {@link LOGUP_DB_LIMITS} (the name `nestjs-logup` uses). */
export const DB_LIMITS = LOGUP_DB_LIMITS;
export type {
  Db,
  DbValue,
  EmulatorGate,
  EmulatorLogin,
  EmulatorOptions,
  EmulatorStats,
  FaultEndpoint,
  FaultSpec,
  LogupDb,
  LogupDbValue,
} from './emulator.types.js';
