import { Module, type INestApplication, type Type } from '@nestjs/common';
import passport from 'passport';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule } from 'nestjs-logup';
import { GATE } from '../support/logup-fixture.js';
import { startNestApp, withEmulatorApp, type RunningApp } from '../support/nest-app.js';
import { useExpressSession } from '../support/sessions.js';

/** express-session and passport sessions on an app (before its routes). */
export function usePassportSessions(app: INestApplication, sessionName?: string): void {
  useExpressSession(app, sessionName ? { name: sessionName } : {});
  app.use(passport.initialize());
  app.use(passport.session());
}

/**
 * An Express app on 127.0.0.1 port 0 with a global LogupModule, the given auth module
 * (PassportModule, a LogupStrategy, a PassportSerializer, the controller),
 * express-session and passport sessions.
 */
export async function passportApp(emu: LogupEmulator, authModule: Type): Promise<RunningApp> {
  @Module({ imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, isGlobal: true }), authModule] })
  class AppModule {}
  return startNestApp(AppModule, { setup: (app) => usePassportSessions(app, 'sid') });
}

/** Registers hooks that start an emulator and {@link passportApp} on it, and close both. */
export function withPassportApp(authModule: Type): RunningApp & { emu: LogupEmulator } {
  return withEmulatorApp((emu) => {
    process.env.LOGUP_LOGIN_URL = 'https://logup.example/login';
    return passportApp(emu, authModule);
  });
}
