// The quick start's AppModule imported as is by a test that sets the environment
// first, with the README's HealthModule: /health reports LogUp up, and a visitor
// who is not logged in gets 401 from /me.
import { Test } from '@nestjs/testing';
import { AppModule } from '../quick-start/app.module.js';
import { startEmulatedApp, type EmulatedApp } from '../support/emulated-app.js';
import { HealthModule } from './health.module.js';

describe('AppModule with HealthModule', () => {
  let ctx: EmulatedApp;

  beforeAll(async () => {
    ctx = await startEmulatedApp({ gate_module: 'module-secret' }, async (emulator) => {
      process.env.LOGUP_ID_GATE = 'gate_module';
      process.env.LOGUP_SECRET = 'module-secret';
      process.env.LOGUP_BASE_URL = emulator.url;
      const moduleRef = await Test.createTestingModule({ imports: [AppModule, HealthModule] }).compile();
      return moduleRef.createNestApplication({ logger: false });
    });
  });
  afterAll(() => ctx?.close());

  it('reports LogUp up on /health, reaching LogUp once for many probes', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${ctx.url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', info: { logup: { status: 'up' } } });
    }
    expect(ctx.emulator.stats().tokenGrants).toBe(1);
  });

  it('answers 401 on /me without a login', async () => {
    expect((await fetch(`${ctx.url}/me`)).status).toBe(401);
  });
});
