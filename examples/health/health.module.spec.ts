// The quick start's AppModule imported as is by a test that sets the environment
// first, with the README's HealthModule: /health reports LogUp up, and a visitor
// who is not logged in gets 401 from /me.
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { AppModule } from '../quick-start/app.module.js';
import { HealthModule } from './health.module.js';

describe('AppModule with HealthModule', () => {
  let emulator: LogupEmulator;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, gates: { gate_module: 'module-secret' } });
    process.env.LOGUP_ID_GATE = 'gate_module';
    process.env.LOGUP_SECRET = 'module-secret';
    process.env.LOGUP_BASE_URL = emulator.url;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule, HealthModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
    await emulator?.stop();
  });

  it('reports LogUp up on /health, reaching LogUp once for many probes', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', info: { logup: { status: 'up' } } });
    }
    expect(emulator.stats().tokenGrants).toBe(1);
  });

  it('answers 401 on /me without a login', async () => {
    expect((await fetch(`${url}/me`)).status).toBe(401);
  });
});
