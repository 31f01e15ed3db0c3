// @ApiLogup() and addLogupSecurity(): the OpenAPI document SwaggerModule generates
// names the session cookie scheme and the guard's answers, and every answer the
// guard really gives over HTTP (against the emulator, with express-session) is one
// the document lists for that route.
import { Controller, Get, HttpCode, Post, Redirect, Req, UseGuards } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiSeeOtherResponse,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { LogupGuard, LogupModule, LogupService } from 'nestjs-logup';
import { ApiLogup, LOGUP_SECURITY_NAME, addLogupSecurity } from 'nestjs-logup/swagger';
import { Test } from '@nestjs/testing';
import { CookieJar } from '../support/cookie-jar.mjs';
import { startNestApp, type RunningApp } from '../support/nest-app.js';
import { useExpressSession } from '../support/sessions.js';

const GATE = { idGate: 'gate_openapi', secret: 'secret_openapi' };

@Controller()
class DocumentedController {
  constructor(private readonly logup: LogupService) {}

  @Post('logup/login')
  @HttpCode(303)
  @Redirect()
  async login(@Req() request: object) {
    await this.logup.startLogin(request);
    return { url: '/logged-out', statusCode: 303 };
  }

  @Get('logup/callback')
  @UseGuards(LogupGuard)
  @ApiLogup({ callback: true })
  @ApiSeeOtherResponse({ description: 'Logged in: sent to /me.' }) // the route's own success, as always with @nestjs/swagger
  @Redirect('/me', 303)
  callback() {}

  @Get('me')
  @UseGuards(LogupGuard)
  @ApiLogup({ loginRedirect: true })
  @ApiOkResponse({ description: 'The visitor.' })
  me() {
    return { ok: true };
  }

  @Get('public')
  open() {
    return { ok: true };
  }
}

@Controller('admin')
@UseGuards(LogupGuard)
@ApiLogup({ security: 'staff-cookie' })
class AdminController {
  @Get('stats')
  stats() {
    return {};
  }
}

let emulator: LogupEmulator;
let app: RunningApp;
let url: string;
let document: OpenAPIObject;

const responsesOf = (path: string) => document.paths[path].get!.responses as Record<string, unknown>;
const documented = (path: string) => Object.keys(responsesOf(path)).map(Number);

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, gates: { [GATE.idGate]: GATE.secret } });
  const moduleRef = await Test.createTestingModule({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emulator.url, loginUrl: '/logup/login' })],
    controllers: [DocumentedController, AdminController],
  }).compile();
  app = await startNestApp(moduleRef, { setup: (nest) => useExpressSession(nest, { name: 'sid' }) });
  url = app.url;
  const builder = addLogupSecurity(new DocumentBuilder().setTitle('LogUp app'), { cookieName: 'sid' });
  addLogupSecurity(builder, { cookieName: 'sid', securityName: 'staff-cookie' });
  document = SwaggerModule.createDocument(app.app, builder.build());
});

afterAll(async () => {
  await app?.close();
  await emulator?.stop();
});

describe('the generated OpenAPI document', () => {
  it('declares the session cookie as an apiKey-in-cookie security scheme', () => {
    expect(LOGUP_SECURITY_NAME).toBe('logup-session');
    expect(document.components!.securitySchemes![LOGUP_SECURITY_NAME]).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: 'sid',
    });
  });

  it('marks a protected route with the scheme and lists 401, 400, 303, 503 and 504 — not 409', () => {
    const me = document.paths['/me'].get!;
    expect(me.security).toEqual([{ [LOGUP_SECURITY_NAME]: [] }]);
    expect(documented('/me').sort()).toEqual([200, 303, 400, 401, 503, 504]);
    expect(responsesOf('/me')['401']).toMatchObject({
      description: expect.stringMatching(/No login/),
      content: { 'application/json': { schema: { properties: { statusCode: { example: 401 } } } } },
    });
    expect(responsesOf('/me')['303']).toMatchObject({ headers: { Location: { schema: { type: 'string' } } } });
  });

  it('documents the callback: its two query parameters and the 409 of an account switch', () => {
    const callback = document.paths['/logup/callback'].get!;
    expect(documented('/logup/callback').sort()).toEqual([303, 400, 401, 409, 503, 504]);
    const params = Object.fromEntries((callback.parameters as { name: string }[]).map((p) => [p.name, p]));
    expect(params.logupToken).toMatchObject({
      in: 'query',
      required: true,
      schema: { type: 'string', minLength: 16, maxLength: 2048 },
    });
    expect(params.isNewUser).toMatchObject({ in: 'query', required: true, schema: { enum: ['true', 'false'] } });
  });

  it('leaves unprotected routes alone, and applies a named scheme to a whole controller', () => {
    expect(document.paths['/public'].get!.security).toBeUndefined();
    expect(documented('/public')).toEqual([200]);
    expect(document.paths['/admin/stats'].get!.security).toEqual([{ 'staff-cookie': [] }]);
    expect(documented('/admin/stats')).toEqual(expect.arrayContaining([401, 400]));
  });
});

describe('what the guard answers over HTTP is what the document says', () => {
  it('401 without a login, 303 for a browser, 400 for a token off the callback', async () => {
    const statuses = [
      (await fetch(`${url}/me`)).status,
      (await fetch(`${url}/me`, { headers: { accept: 'text/html' }, redirect: 'manual' })).status,
      (await fetch(`${url}/me?logupToken=${'a'.repeat(40)}&isNewUser=false`)).status,
    ];
    expect(statuses).toEqual([401, 303, 400]);
    for (const status of statuses) expect(documented('/me')).toContain(status);
  });

  it('the cookie the login sets is the documented one, and the callback answers 400, 303 and 409 as listed', async () => {
    const start = { method: 'POST', headers: { origin: url } };
    const browser = new CookieJar().fetcher(url);
    const notStarted = await fetch(`${url}/logup/callback?logupToken=${'b'.repeat(40)}&isNewUser=false`);
    const [setCookie] = (await browser('/logup/login', start)).headers.getSetCookie();
    const scheme = document.components!.securitySchemes![LOGUP_SECURITY_NAME] as { name?: string };
    expect(setCookie.split('=')[0]).toBe(scheme.name);

    const ada = emulator.login({ idGate: GATE.idGate, email: 'ada@example.com' });
    const loggedIn = await browser(`/logup/callback?logupToken=${ada.logupToken}&isNewUser=false`);
    expect((await browser('/me')).status).toBe(200);

    await browser('/logup/login', start);
    const bob = emulator.login({ idGate: GATE.idGate, email: 'bob@example.com' });
    const switched = await browser(`/logup/callback?logupToken=${bob.logupToken}&isNewUser=true`);
    const statuses = [notStarted.status, loggedIn.status, switched.status];
    expect(statuses).toEqual([400, 303, 409]);
    for (const status of statuses) expect(documented('/logup/callback')).toContain(status);
  });
});
