import { Controller, Get, UseGuards, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { LogupGuard, LogupModule, Subscription, type LogupSubscription } from 'nestjs-logup';
import { LogupTestGuard, createTestSubscription } from 'nestjs-logup/testing';

// The controller under test (in your app it lives in its own file).
@Controller('account')
@UseGuards(LogupGuard)
class AccountController {
  @Get()
  async account(@Subscription() subscription: LogupSubscription) {
    const { plan = 'free' } = await subscription.getDb(['plan']);
    return { idSubscription: subscription.idSubscription, plan };
  }
}

describe('GET /account against the LogUp emulator', () => {
  let emulator: LogupEmulator;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, gates: { gate_test: 'secret_test' } });
    const moduleRef = await Test.createTestingModule({
      imports: [LogupModule.forRoot({ idGate: 'gate_test', secret: 'secret_test', baseUrl: emulator.url })],
      controllers: [AccountController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });

  it('shows the plan of the visitor who just logged in', async () => {
    // A login without a browser: the visitor, their DB, and a fresh logupToken.
    const { logupToken, idSubscription } = emulator.login({
      idGate: 'gate_test',
      email: 'ada@example.com',
      db: { plan: 'pro' },
    });
    const res = await fetch(`${url}/account?logupToken=${logupToken}&isNewUser=false`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ idSubscription, plan: 'pro' });
  });

  it('answers 503 while LogUp is down', async () => {
    emulator.fault({ kind: 'status', status: 503, endpoint: 'verification' });
    const { logupToken } = emulator.login({ idGate: 'gate_test', email: 'bob@example.com' });
    const res = await fetch(`${url}/account?logupToken=${logupToken}&isNewUser=true`);
    expect(res.status).toBe(503);
  });
});

describe('GET /account without any server', () => {
  it('uses an in-memory subscription in place of LogupGuard', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [AccountController] })
      .overrideGuard(LogupGuard)
      .useValue(new LogupTestGuard(createTestSubscription({ idSubscription: 'sub_1', db: { plan: 'team' } })))
      .compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const res = await fetch(`${await app.getUrl()}/account`);
    expect(await res.json()).toEqual({ idSubscription: 'sub_1', plan: 'team' });
    await app.close();
  });
});
