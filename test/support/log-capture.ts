import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoggerService } from '@nestjs/common';

/** Where every log line of the suite is kept for the secret scan (test/secret-scan.mjs). */
export const LOG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'logs');
mkdirSync(LOG_DIR, { recursive: true });
const file = join(LOG_DIR, `worker-${process.env.JEST_WORKER_ID ?? '0'}-${process.pid}.log`);

/** Records one log line (or a block of process output) from `source`. */
export function captureLog(source: string, text: string): void {
  appendFileSync(file, `[${source}] ${text.endsWith('\n') ? text : `${text}\n`}`);
}

/** A Nest logger that records every level, verbose and debug included. */
export class CaptureLogger implements LoggerService {
  constructor(private readonly also?: (line: string) => void) {}

  private write(level: string, message: unknown, rest: unknown[]): void {
    const line = `${level} ${[message, ...rest].map((m) => (m instanceof Error ? m.stack : typeof m === 'string' ? m : JSON.stringify(m))).join(' ')}`;
    captureLog('nest', line);
    this.also?.(line);
  }

  log = (message: unknown, ...rest: unknown[]) => this.write('LOG', message, rest);
  error = (message: unknown, ...rest: unknown[]) => this.write('ERROR', message, rest);
  warn = (message: unknown, ...rest: unknown[]) => this.write('WARN', message, rest);
  debug = (message: unknown, ...rest: unknown[]) => this.write('DEBUG', message, rest);
  verbose = (message: unknown, ...rest: unknown[]) => this.write('VERBOSE', message, rest);
  fatal = (message: unknown, ...rest: unknown[]) => this.write('FATAL', message, rest);
}

/** The emulator's request log, captured. */
export const emulatorLog = (line: string): void => captureLog('emulator', line);
