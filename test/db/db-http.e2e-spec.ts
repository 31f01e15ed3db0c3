import {
  Body,
  Catch,
  Controller,
  Module,
  Param,
  Post,
  Put,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { LogupEmulator } from 'logup-emulator';
import { LogupError, LogupModule, LogupService, toLogupHttpException } from 'nestjs-logup';
import { GATE, email } from '../support/logup-fixture.js';
import { PLATFORMS, startNestApp, withEmulatorApp, type Platform } from '../support/nest-app.js';
import { zodDbSchema } from './db-fixture.js';

@Catch(LogupError)
class LogupErrorFilter implements ExceptionFilter {
  catch(error: LogupError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{
      status?: (code: number) => { json?: (body: unknown) => void; send?: (body: unknown) => void };
      code?: (code: number) => { send: (body: unknown) => void };
    }>();
    const http = toLogupHttpException(error, response);
    if (typeof response.code === 'function') response.code(http.getStatus()).send(http.getResponse());
    else response.status!(http.getStatus()).json!(http.getResponse());
  }
}

/** An app's own DB routes: the body goes straight to updateDb / changeDb. */
@Controller('accounts/:id/db')
class AccountDbController {
  constructor(private readonly logup: LogupService) {}

  @Put()
  update(@Param('id') id: string, @Body() body: unknown) {
    return this.logup.subscription<typeof zodDbSchema>(id).updateDb(body as never);
  }

  @Post('credits')
  addCredits(@Param('id') id: string, @Body() body: { add?: unknown }) {
    return this.logup.subscription<typeof zodDbSchema>(id).changeDb((db) => {
      db.credits += Number(body?.add);
    });
  }
}

/** An app with those routes and the filter, on `platform`, against the emulator `emu`. */
function startAccountApp(emu: LogupEmulator, platform: Platform) {
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, dbSchema: zodDbSchema })],
    controllers: [AccountDbController],
    providers: [{ provide: APP_FILTER, useClass: LogupErrorFilter }],
  })
  class AppModule {}
  return startNestApp(AppModule, { platform });
}

describe.each(PLATFORMS)('bad DB input over HTTP (%s): 400, nothing sent, no secret', (platform) => {
  const ctx = withEmulatorApp((emu) => startAccountApp(emu, platform));

  const send = (method: string, path: string, body: string) =>
    fetch(`${ctx.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body });

  it.each([
    ['a key the schema refuses', { plan: 'gold' }, 'value of "plan"'],
    ['a value too long', { nickname: 'x'.repeat(2000) }, 'is 2000 characters; at most 1024'],
    ['an object value', { seats: { $gt: 1 } }, 'value of "seats"'],
    ['a null value', { beta: null }, 'not null'],
    ['a 33-character key', { ['k'.repeat(33)]: 1 }, 'is 33 characters; at most 32'],
    ['21 keys', Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])), 'names 21 keys'],
    ['an array', [{ key: 'plan', value: 'pro' }], 'must be a plain object'],
    // Express's parser keeps the key (the library refuses it); Fastify's refuses the body.
    ['a __proto__ key', JSON.parse('{"__proto__": {"polluted": true}}'), /is reserved|not valid JSON/],
  ])('refuses %s', async (_case, body, message) => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email(), db: { plan: 'pro' } });
    ctx.emu.resetStats();
    const res = await send('PUT', `/accounts/${login.idSubscription}/db`, JSON.stringify(body));
    const text = await res.text();
    expect(res.status).toBe(400);
    if (typeof message === 'string') expect(text).toContain(message.replaceAll('"', '\\"'));
    else expect(text).toMatch(message);
    expect(ctx.emu.stats().apiRequests).toBe(0);
    expect(ctx.emu.db(login.idSubscription)).toEqual({ plan: 'pro' });
    for (const secret of [GATE.secret, login.logupToken]) expect(text).not.toContain(secret);
  });

  it('refuses a change that computes a bad value (NaN credits): 400, nothing written', async () => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email(), db: { credits: 5 } });
    ctx.emu.resetStats();
    const res = await send('POST', `/accounts/${login.idSubscription}/db/credits`, '{"add":"lots"}');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('value of \\"credits\\"');
    expect(ctx.emu.stats()).toMatchObject({ dbUpdates: 0, dbDeletes: 0 });
    expect(ctx.emu.db(login.idSubscription)).toEqual({ credits: 5 });
  });

  it('accepts a good update', async () => {
    const login = ctx.emu.login({ idGate: GATE.idGate, email: email(), db: {} });
    const res = await send('PUT', `/accounts/${login.idSubscription}/db`, '{"plan":"pro","seats":3}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ plan: 'pro', seats: 3, credits: 0 });
  });
});
