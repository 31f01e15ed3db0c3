import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages');
const DIST = join(PACKAGES, 'nestjs-logup', 'dist');
const EMULATOR = join(PACKAGES, 'logup-emulator', 'dist', 'esm', 'index.js');

// Two copies of the library in one process (an app's ESM import and a CommonJS
// dependency's require) still recognise each other's errors and subscriptions, so an
// ESM guard never verifies a single-use token that a CommonJS guard already verified.
const SCRIPT = `
import 'reflect-metadata';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const esm = await import(${JSON.stringify(join(DIST, 'esm', 'index.js'))});
const cjs = require(${JSON.stringify(join(DIST, 'cjs', 'index.js'))});
const cjsTesting = require(${JSON.stringify(join(DIST, 'cjs', 'integrations', 'logup.testing.js'))});
if (esm.LogupError === cjs.LogupError) throw new Error('one copy only: the test proves nothing');
const apiError = new cjs.LogupApiError({ operation: 'getDb', status: 404, errorMessage: 'x' });
const credentials = new cjs.LogupCredentialsError({ idGate: 'g', status: 401, errorMessage: 'x' });
const subscription = cjsTesting.createTestSubscription();
const attachedByCjs = {};
const http = { getRequest: () => attachedByCjs, getResponse: () => ({}) };
new cjsTesting.LogupTestGuard(subscription).canActivate({ getType: () => 'http', switchToHttp: () => http });
console.log(JSON.stringify({
  error: apiError instanceof esm.LogupError,
  api: esm.isLogupApiError(apiError),
  credentials: credentials instanceof esm.LogupCredentialsError && credentials instanceof esm.LogupApiError,
  notUnavailable: apiError instanceof esm.LogupUnavailableError,
  subscription: subscription instanceof esm.LogupSubscription,
  attached: esm.subscriptionOf(attachedByCjs) === subscription && esm.subscriptionOf(attachedByCjs, 'default') === subscription,
  plainObject: esm.subscriptionOf({ logupSubscription: { idSubscription: 'sub_fake' } }) === undefined,
}));
`;

describe('a CommonJS and an ESM copy of nestjs-logup in one process', () => {
  it('recognise each other through brands, not identities', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({
      error: true,
      api: true,
      credentials: true,
      notUnavailable: false,
      subscription: true,
      attached: true,
      plainObject: true,
    });
  });
});

// An ESM app registers LogupModule from \`import\`; a controller takes LogupGuard,
// @InjectLogup() and subscriptionOf from \`require('nestjs-logup')\` (a CommonJS
// dependency, a monorepo): the app boots, logs a visitor in, and says once that two
// copies are loaded. Injecting the other copy's LogupService class fails the boot
// after that plain warning.
const APP = `
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { Controller, Get, Module, Req, UseGuards, Inject } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
const require = createRequire(import.meta.url);
const esm = await import(${JSON.stringify(join(DIST, 'esm', 'index.js'))});
const cjs = require(${JSON.stringify(join(DIST, 'cjs', 'index.js'))});
const { startEmulator } = await import(${JSON.stringify(EMULATOR)});
const gate = { idGate: 'gate_copies', secret: 'copies-secret-value' };
const emulator = await startEmulator({ port: 0, gates: { [gate.idGate]: gate.secret } });
const lines = [];
const logger = { log() {}, error: (m) => lines.push(String(m)), warn: (m) => lines.push(String(m)), debug() {}, verbose() {} };

async function boot(injectClass) {
  class AuthController {
    constructor(logup) { this.logup = logup; }
    callback(request) { return { id: cjs.subscriptionOf(request)?.idSubscription, gate: this.logup.toJSON().idGate }; }
  }
  (injectClass ? Inject(cjs.LogupService) : cjs.InjectLogup())(AuthController, undefined, 0);
  const method = Object.getOwnPropertyDescriptor(AuthController.prototype, 'callback');
  Req()(AuthController.prototype, 'callback', 0);
  UseGuards(cjs.LogupGuard)(AuthController.prototype, 'callback', method);
  Get('logup/callback')(AuthController.prototype, 'callback', method);
  Controller()(AuthController);
  class AppModule {}
  Module({
    imports: [esm.LogupModule.forRoot({ ...gate, baseUrl: emulator.url, sessionKey: false, isGlobal: true })],
    controllers: [AuthController],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

const app = await boot(false);
const login = emulator.login({ idGate: gate.idGate, email: 'copies@example.com' });
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
const res = await fetch(url + '/logup/callback?logupToken=' + login.logupToken + '&isNewUser=false', {
  headers: { accept: 'application/json' },
});
const body = await res.json();
await app.close();
let classInjection = 'booted';
try {
  await (await boot(true)).close();
} catch (error) {
  classInjection = 'refused';
}
await emulator.stop();
console.log(JSON.stringify({
  status: res.status,
  loggedIn: body.id === login.idSubscription,
  gate: body.gate,
  warned: lines.filter((l) => l.includes('copies of nestjs-logup are loaded')).length,
  classInjection,
}));
`;

describe('an app that loads nestjs-logup twice (ESM import and CommonJS require)', () => {
  it("logs visitors in with the other copy's guard and @InjectLogup(), and says plainly that two copies are loaded", () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', APP], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({
      status: 200,
      loggedIn: true,
      gate: 'gate_copies',
      warned: 1,
      classInjection: 'refused',
    });
  });
});
