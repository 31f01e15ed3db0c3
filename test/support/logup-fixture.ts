import { Test } from '@nestjs/testing';
import { startEmulator, type EmulatorOptions, type LogupEmulator } from 'logup-emulator';
import { LogupModule, LogupService, type LogupModuleOptions } from 'nestjs-logup';
import type { INestApplicationContext } from '@nestjs/common';
import { CaptureLogger, emulatorLog } from './log-capture.js';

export const GATE = { idGate: 'gate_test', secret: 'secret_gate_test_value' } as const;
export const OTHER_GATE = { idGate: 'gate_other', secret: 'secret_gate_other_value' } as const;

/** An emulator log that also keeps its lines in `lines` (for a test to read). */
export const emulatorLogInto =
  (lines: string[]) =>
  (line: string): void => {
    lines.push(line);
    emulatorLog(line);
  };

/** An emulator on a loopback port 0 with two gates. */
export function emulator(options: Partial<EmulatorOptions> = {}): Promise<LogupEmulator> {
  return startEmulator({ port: 0, gates: [GATE, OTHER_GATE], log: emulatorLog, ...options });
}

/**
 * Registers hooks that start an emulator before the block and stop it after, clearing
 * its faults after each test; read it from the returned object in tests.
 */
export function withEmulator(options: Partial<EmulatorOptions> = {}): { emu: LogupEmulator } {
  const ctx = {} as { emu: LogupEmulator };
  beforeAll(async () => {
    ctx.emu = await emulator(options);
  });
  afterAll(() => ctx.emu?.stop());
  afterEach(() => ctx.emu?.clearFaults());
  return ctx;
}

/** A Nest application context with LogupModule pointed at the emulator (or another LogUp at `url`). */
export async function logupContext(
  emu: { url: string },
  options: Partial<LogupModuleOptions> = {},
  logger = new CaptureLogger(),
): Promise<{ app: INestApplicationContext; logup: LogupService }> {
  const moduleRef = await Test.createTestingModule({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, ...options })],
  })
    .setLogger(logger)
    .compile();
  const app = await moduleRef.init();
  return { app, logup: app.get(LogupService) };
}

/**
 * Registers beforeAll/afterAll hooks that start an emulator and a LogupModule
 * context pointed at it, and close both; read them from the returned object in tests.
 */
export function withLogup(
  emulatorOptions: Partial<EmulatorOptions> = {},
  moduleOptions: Partial<LogupModuleOptions> = {},
): { emu: LogupEmulator; app: INestApplicationContext; logup: LogupService } {
  const ctx = {} as { emu: LogupEmulator; app: INestApplicationContext; logup: LogupService };
  beforeAll(async () => {
    ctx.emu = await emulator(emulatorOptions);
    Object.assign(ctx, await logupContext(ctx.emu, moduleOptions));
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.emu?.stop();
  });
  return ctx;
}

let counter = 0;
/** A fresh visitor email. */
export const email = (label = 'visitor'): string => `${label}-${process.pid}-${++counter}@example.com`;
