// The README's login start names a missing LOGUP_LOGIN_URL instead of answering a 303
// with an empty Location (a browser would stay on the page with nothing said).
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import session from 'express-session';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { LogupModule } from 'nestjs-logup';
import { CaptureLogger } from '../support/log-capture.js';
import { AuthController } from '../../examples/quick-start/auth.controller.js';

describe('the README login start without LOGUP_LOGIN_URL', () => {
  let emulator: LogupEmulator;
  let app: INestApplication;
  const saved = process.env.LOGUP_LOGIN_URL;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, gates: { gate_test: 'secret_test' } });
    const moduleRef = await Test.createTestingModule({
      imports: [LogupModule.forRoot({ idGate: 'gate_test', secret: 'secret_test', baseUrl: emulator.url })],
      controllers: [AuthController],
    })
      .setLogger(new CaptureLogger())
      .compile();
    app = moduleRef.createNestApplication();
    app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false }));
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    process.env.LOGUP_LOGIN_URL = saved;
    await app?.close();
    await emulator?.stop();
  });

  it('answers 500 naming the setting, and starts nothing', async () => {
    delete process.env.LOGUP_LOGIN_URL;
    const res = await fetch(`${await app.getUrl()}/logup/login`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(500);
    expect(res.headers.get('location')).toBeNull();
    expect(((await res.json()) as { message: string }).message).toBe(
      'Set LOGUP_LOGIN_URL to the LogUp login page of your gate',
    );
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
