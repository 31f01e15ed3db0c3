import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import { LogupGuard, LogupModule, LogupService, Subscription, type LogupSubscription } from 'nestjs-logup';
import { findLeaks } from '../secret-scan.mjs';
import { Visitor } from '../support/browserless.js';
import { CaptureLogger, emulatorLog } from '../support/log-capture.js';
import { GATE, email, emulator } from '../support/logup-fixture.js';
import { startNestApp, type RunningApp } from '../support/nest-app.js';

@Controller()
class SecretsController {
  @UseGuards(LogupGuard)
  @Get('logup/callback')
  callback(@Subscription() subscription: LogupSubscription) {
    return subscription;
  }
}

const lines: string[] = [];
const answers: string[] = [];
let emu: LogupEmulator;
const apps: RunningApp[] = [];

/** An app of GATE with `secret` (the right one or not), its log lines kept in `lines`. */
async function app(secret: string): Promise<{ base: string; logup: LogupService }> {
  @Module({
    imports: [
      LogupModule.forRoot({
        ...GATE,
        secret,
        baseUrl: emu.url,
        timeoutMs: 200,
        retry: { minDelayMs: 5 },
        loginBinding: 'off',
      }),
    ],
    controllers: [SecretsController],
  })
  class AppModule {}
  const nest = await startNestApp(AppModule, { logger: new CaptureLogger((line) => lines.push(line)) });
  apps.push(nest);
  return { base: nest.url, logup: nest.app.get(LogupService) };
}

/** The body the callback of the app at `base` answers for `logupToken` (a fresh login's by default). */
const callbackBody = async (base: string, logupToken = emu.login({ idGate: GATE.idGate, email: email() }).logupToken) =>
  (await new Visitor(base).get(`/logup/callback?logupToken=${logupToken}&isNewUser=true`, false)).body;

type App = Awaited<ReturnType<typeof app>>;

/** Logins, a spent token again, and wrong credentials, three times; every answer kept. */
async function logins(good: App, bad: App): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const login = emu.login({ idGate: GATE.idGate, email: email('secret') });
    answers.push(await callbackBody(good.base, login.logupToken));
    answers.push(await callbackBody(good.base, login.logupToken));
    answers.push(await callbackBody(bad.base));
  }
}

/** Retries, an outage, revoked access tokens, refusals and dropped connections; the errors they end with. */
async function faults(good: App, bad: App): Promise<{ errors: unknown[]; sub: LogupSubscription }> {
  const errors: unknown[] = [];
  const record = (e: unknown) => void errors.push(e);
  const sub = good.logup.subscription(emu.login({ idGate: GATE.idGate, email: email() }).idSubscription);
  emu.fault({ kind: 'status', status: 503, endpoint: 'db', count: 2 });
  await sub.getDb();
  emu.fault({ kind: 'hang', endpoint: 'verification' });
  answers.push(await callbackBody(good.base));
  emu.revokeAccessTokens();
  await sub.updateDb({ a: 1 });
  await sub.updateDb({ ['k'.repeat(40)]: 1 }).catch(record);
  await bad.logup.verify(emu.login({ idGate: GATE.idGate, email: email() }).logupToken, true).catch(record);
  // Twice: a drop on a pooled connection is repeated once on a fresh one.
  emu.fault({ kind: 'drop', endpoint: 'verification', count: 2 });
  await good.logup.verify(emu.login({ idGate: GATE.idGate, email: email() }).logupToken, true).catch(record);
  emu.clearFaults();
  return { errors, sub };
}

describe('secrets never reach a log line, an error or an HTTP answer', () => {
  beforeAll(async () => {
    emu = await emulator({
      log: (line) => {
        lines.push(`[emulator] ${line}`);
        emulatorLog(line);
      },
    });
  });
  afterAll(async () => {
    for (const nest of apps) await nest.close();
    await emu?.stop();
  });

  it('through a workload of successes, retries, outages, refusals and wrong credentials', async () => {
    const good = await app(GATE.secret);
    const bad = await app('secret_wrong_value_123');
    await logins(good, bad);
    const { errors, sub } = await faults(good, bad);

    const logged = lines.join('\n');
    // The capture saw the paths where a careless client would leak.
    expect(logged).toMatch(/DEBUG .*getDb: LogUp is unavailable for getDb: HTTP 503/);
    expect(logged).toMatch(/WARN .*LogUp is unavailable for verification: no complete answer within 200 ms/);
    expect(logged).toMatch(
      /ERROR .*LogUp rejected the gate credentials for idGate "gate_test" \(HTTP 401, INVALID_CLIENT\)/,
    );
    expect(logged).toMatch(/\[emulator\] POST \/v1_1\/verification 201/);
    expect(errors).toHaveLength(3);

    const everything = [
      logged,
      ...answers,
      ...errors.flatMap((e) => [String(e), JSON.stringify(e), (e as Error).stack ?? '']),
      JSON.stringify(sub),
    ].join('\n');
    expect(findLeaks(everything)).toEqual([]);
    expect(answers.join('\n')).not.toMatch(/\bat \S+ \(|node_modules/);
  });
});
