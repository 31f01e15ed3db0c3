import { BadRequestException, Controller, Get, Inject, Post, Query, Redirect, Req, UseGuards } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { LogupEmulator } from 'logup-emulator';
import { CurrentSubscription, LogupGuard, LogupService } from 'nestjs-logup';
import { CsrfGuard, rotateCsrfSecret } from './infra/csrf.js';
import { EMBEDDED_LOGUP } from './embedded-logup.module.js';
import type { SampleConfig } from './sample.config.js';
import { sessionOf } from './infra/session.js';

type Request = Record<string, unknown> & { headers: Record<string, string | undefined>; protocol?: string };

/** The library's default `nonceQueryParam`: where the login's nonce rides in the callback URL. */
const NONCE_PARAM = 'logupNonce';

/** Where to go after logging in: a same-site path only (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])[\x21-\x7e]*$/.test(next)) return '/me';
  return next;
}

/** Logging in and out: start a login bound to this browser, the callback, logout. */
@Controller()
export class LoginController {
  constructor(
    private readonly logup: LogupService,
    private readonly config: ConfigService,
    @Inject(EMBEDDED_LOGUP) private readonly emulator: LogupEmulator | null,
  ) {}

  /**
   * Starts a login: records it in this browser's session (the callback is refused
   * without it), then sends the visitor to LogUp's page. A POST from the home page's
   * form, which carries no token, so that an anonymous page view stores no session:
   * `startLogin` itself refuses a login started by another site (Fetch Metadata, Origin).
   */
  @Post('login')
  @Redirect(undefined, 303)
  async login(@Req() request: Request) {
    const pending = await this.logup.startLogin(request);
    const nonce = this.config.get<string>('loginBinding') === 'nonce' ? pending?.nonce : undefined;
    return { url: this.loginPageUrl(request, nonce), statusCode: 303 };
  }

  /**
   * LogUp redirects here; LogupGuard checks that this browser started the login,
   * verifies the token, refuses to switch a logged-in browser to another account
   * (409), and logs the visitor in. Rate-limited per client address.
   */
  @Get('logup/callback')
  @UseGuards(ThrottlerGuard, LogupGuard)
  @Redirect('/me', 303)
  callback(@Req() request: Request, @Query('next') next: unknown) {
    rotateCsrfSecret(request);
    return { url: safeNext(next), statusCode: 303 };
  }

  /** Ends the login on the server (a copied cookie stops working) and the whole session; the home page confirms. */
  @Post('logout')
  @UseGuards(CsrfGuard)
  @Redirect('/?notice=logged-out', 303)
  async logout(@Req() request: Request) {
    await this.logup.logout(request);
    sessionOf(request).destroy();
  }

  /**
   * "Sign out of all devices": ends every login of this subscription, on every device
   * and replica (sessions issued before now are refused everywhere; open live sockets
   * close), then this browser's session. A POST with the form's CSRF token.
   */
  @Post('logout-everywhere')
  @UseGuards(CsrfGuard, LogupGuard)
  @Redirect('/?notice=logged-out-everywhere', 303)
  async logoutEverywhere(@Req() request: Request, @CurrentSubscription('idSubscription') idSubscription: string) {
    await this.logup.signOutEverywhere(idSubscription);
    await this.logup.logout(request);
    sessionOf(request).destroy();
  }

  /**
   * LogUp's login page. Against LogUp (LOGUP_BASE_URL set) that is LOGUP_LOGIN_URL
   * exactly as configured: LogUp documents no parameters, and the gate's redirect URL
   * is set in its console. Only the embedded emulator's page is told the gate and the
   * callback URL, which carries the login's nonce.
   */
  private loginPageUrl(request: Request, nonce: string | undefined): string {
    const logup = this.config.getOrThrow<SampleConfig['logup']>('logup');
    if (!this.emulator) return logup.loginPageUrl!;
    const origin =
      this.config.get<string>('publicUrl') ??
      `${request.protocol === 'https' ? 'https' : 'http'}://${request.headers.host ?? 'localhost'}`;
    if (!URL.canParse(`${origin}/logup/callback`)) throw new BadRequestException('The Host header is not a host name');
    const callback = new URL(`${origin}/logup/callback`);
    callback.searchParams.set('next', '/me');
    if (nonce) callback.searchParams.set(NONCE_PARAM, nonce);
    const url = new URL(`${this.emulator.url}/login`);
    url.searchParams.set('gate', logup.idGate);
    url.searchParams.set('redirect', callback.toString());
    return url.toString();
  }
}
