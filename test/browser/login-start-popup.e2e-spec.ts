// Issue 16, item 2: the popup attack on a login start, driven in Chromium against the
// README's own files (its AuthController and main.ts session set-ups), on both adapters.
// Another site opens the app's login start in a popup (a GET link, or its own form
// POSTing there), then sends the popup to the app's callback with the attacker's
// token. The victim must not end up logged in as the attacker.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { LogupModule } from 'nestjs-logup';
import { AuthController } from '../../examples/quick-start/auth.controller.js';
import { launchChromium } from '../support/chromium.js';
import { PLATFORMS, startNestApp, type Platform, type RunningApp } from '../support/nest-app.js';
import { useExpressSession, useSecureSession } from '../support/sessions.js';

const GATE = { idGate: 'gate_popup', secret: 'popup-secret-value' };

/** The README's app: its controller, express-session or @fastify/secure-session as its main.ts sets them up. */
async function readmeApp(emu: LogupEmulator, platform: Platform): Promise<RunningApp> {
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url, sessionKey: 'auth', isGlobal: true })],
    controllers: [AuthController],
  })
  class AppModule {}
  return platform === 'express'
    ? startNestApp(AppModule, {
        setup: (app: NestExpressApplication) => useExpressSession(app, { cookie: { httpOnly: true, sameSite: 'lax' } }),
      })
    : startNestApp(AppModule, { platform, setup: (app: NestFastifyApplication) => useSecureSession(app) });
}

/** The attacker's site, on `localhost` (another site than the app's 127.0.0.1). */
async function attackerSite(page: () => string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The attacker's page: one click opens the app's login start (at `base`) in a popup, then sends the popup to the callback with `logupToken`. */
function baitPage(base: string, logupToken: string, start: 'get' | 'post'): string {
  const callback = `${base}/logup/callback?logupToken=${logupToken}&isNewUser=false`;
  const open =
    start === 'get'
      ? `popup = window.open(${JSON.stringify(`${base}/logup/login`)}, 'pop');`
      : `popup = window.open('about:blank', 'pop'); document.getElementById('start').submit();`;
  return `<!doctype html><title>Free prize</title>
<form id="start" method="post" action="${base}/logup/login" target="pop"></form>
<button id="prize">Claim your prize</button>
<script>
  let popup;
  document.getElementById('prize').onclick = () => {
    ${open}
    setTimeout(() => { popup.location = ${JSON.stringify(callback)}; document.title = 'sent'; }, 1500);
  };
</script>`;
}

/** The emulator, the README app, the attacker's site and the victim's browser, for one platform. */
interface Scene {
  emu: LogupEmulator;
  app: RunningApp;
  base: string;
  /** What the attacker's page shows. */
  bait: string;
  attacker: Awaited<ReturnType<typeof attackerSite>>;
  browser: Awaited<ReturnType<typeof launchChromium>>;
}

/** Another site opens the login start (`start`) in a popup, then sends it to the callback with its own token. */
async function popupAttack(scene: Scene, adapter: Platform, start: 'get' | 'post') {
  const { emu, base, attacker } = scene;
  const { page, context } = scene.browser;
  const attackers = emu.login({ idGate: GATE.idGate, email: `attacker-${adapter}-${start}@example.com` });
  scene.bait = baitPage(base, attackers.logupToken, start);
  emu.resetStats();
  await page.goto(attacker.url);
  const popupOpened = context.waitForEvent('page');
  await page.locator('#prize').click();
  const popup = await popupOpened;
  await page.waitForFunction("document.title === 'sent'");
  // The refused callback sends the browser to the site with the reason (callbackErrorUrl: '/').
  await popup.waitForURL(`${base}/?logupError=not_started`);
  await popup.waitForLoadState();
  expect(emu.stats().verifications).toBe(0);
  const me = await page.request.get(`${base}/me`, { maxRedirects: 0 });
  expect(me.status()).toBe(401);
  expect(await me.text()).not.toContain(attackers.idSubscription);
  await popup.close();
}

describe.each(PLATFORMS)('the popup attack on the README app (%s)', (adapter) => {
  const scene = { bait: '' } as Scene;

  beforeAll(async () => {
    scene.emu = await startEmulator({ port: 0, gates: { [GATE.idGate]: GATE.secret } });
    process.env.LOGUP_LOGIN_URL = `${scene.emu.url}/login?gate=${GATE.idGate}`;
    scene.app = await readmeApp(scene.emu, adapter);
    scene.base = scene.app.url;
    scene.attacker = await attackerSite(() => scene.bait);
    scene.browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await scene.browser?.close();
    await scene.attacker?.close();
    await scene.app?.close();
    await scene.emu?.stop();
  });

  it.each(['get', 'post'] as const)('a %s login start opened by another site logs the victim in as nobody', (start) =>
    popupAttack(scene, adapter, start),
  );

  it("still logs the visitor in from the site's own Log in button", async () => {
    const { emu, base } = scene;
    const { page } = scene.browser;
    await page.goto(`${base}/login`);
    await Promise.all([page.waitForURL(`${emu.url}/login**`), page.locator('button').click()]);
    const visitor = emu.login({ idGate: GATE.idGate, email: `visitor-${adapter}@example.com` });
    await page.goto(`${base}/logup/callback?logupToken=${visitor.logupToken}&isNewUser=true`);
    expect(page.url()).toBe(`${base}/me`);
    expect(await page.textContent('body')).toContain(visitor.idSubscription);
  });
});
