import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import type { INestApplication } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule, LogupService } from 'nestjs-logup';
import { LogupHealthIndicator } from 'nestjs-logup/health';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, emulator } from '../support/logup-fixture.js';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly logup: LogupHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.logup.isHealthy('logup')]);
  }
}

async function healthApp(
  emu: LogupEmulator,
  secret: string,
  healthCheckIntervalMs = 0,
): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [
      TerminusModule,
      LogupModule.forRoot({ ...GATE, secret, baseUrl: emu.url, retry: { retries: 0 }, healthCheckIntervalMs }),
    ],
    controllers: [HealthController],
    providers: [LogupHealthIndicator],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: new CaptureLogger() });
  await app.listen(0, '127.0.0.1');
  return { app, url: `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/health` };
}

describe('LogupHealthIndicator', () => {
  let emu: LogupEmulator;
  beforeAll(async () => {
    emu = await emulator();
  });
  afterAll(() => emu.stop());
  afterEach(() => emu.clearFaults());

  it('is up when LogUp answers and accepts the credentials', async () => {
    const { app, url } = await healthApp(emu, GATE.secret);
    try {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        info: { logup: { status: 'up', latencyMs: expect.any(Number) } },
      });
      emu.fault({ kind: 'status', status: 503, endpoint: 'token' });
      const down = await fetch(url);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ error: { logup: { status: 'down', code: 'LOGUP_UNAVAILABLE' } } });
    } finally {
      await app.close();
    }
  });

  it('is down, naming the problem but not the secret, when the credentials are refused', async () => {
    const { app, url } = await healthApp(emu, 'secret_wrong_value_123');
    try {
      const res = await fetch(url);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ error: { logup: { status: 'down', code: 'LOGUP_CREDENTIALS' } } });
      expect(text).toContain('INVALID_CLIENT');
      expect(text).not.toContain('secret_wrong_value_123');
    } finally {
      await app.close();
    }
  });

  it('reaches LogUp at most once per interval, reusing the token it fetched, and reports the last result between', async () => {
    const { app, url } = await healthApp(emu, GATE.secret, 60_000);
    try {
      const before = emu.stats().tokenGrants;
      const first = await fetch(url);
      expect(first.status).toBe(200);
      expect(await first.json()).toMatchObject({ info: { logup: { status: 'up', cached: false } } });
      emu.fault({ kind: 'status', status: 503, endpoint: 'token' });
      for (let i = 0; i < 20; i++) {
        const res = await fetch(url);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ info: { logup: { status: 'up', cached: true } } });
      }
      expect(emu.stats().tokenGrants - before).toBe(1);
      // The probe's token serves ordinary calls: a verification needs no second grant.
      const login = emu.login({ idGate: GATE.idGate, email: 'health@example.com' });
      const logup = app.get(LogupService);
      expect((await logup.verify(login.logupToken, false)).verified).toBe(true);
      expect(emu.stats().tokenGrants - before).toBe(1);
    } finally {
      await app.close();
    }
  });
});
