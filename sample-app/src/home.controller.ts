import { Controller, Get, Inject, Query, Render, Req } from '@nestjs/common';
import type { LogupEmulator } from 'logup-emulator';
import { LogupService } from 'nestjs-logup';
import { EMBEDDED_LOGUP } from './embedded-logup.module.js';
import { csrfToken } from './infra/csrf.js';
import { HOME_NOTICES, noticeText } from './notices.js';

@Controller()
export class HomeController {
  constructor(
    @Inject(EMBEDDED_LOGUP) private readonly emulator: LogupEmulator | null,
    private readonly logup: LogupService,
  ) {}

  /**
   * The home page: a login button (a form, see LoginController.login), or links to the
   * account and to log out. An anonymous view writes nothing to the session (the login
   * form carries no token), so it stores no session anywhere and sets no cookie.
   */
  @Get()
  @Render('home')
  async home(@Req() request: Record<string, unknown>, @Query('notice') notice?: unknown) {
    // The login as LogupGuard sees it: expiry and logout (revocation) included.
    const loggedIn = (await this.logup.currentLogin(request)) !== undefined;
    return {
      title: 'LogUp sample',
      loggedIn,
      // Only the logged-in page has a form that needs one (Log out).
      csrf: loggedIn ? csrfToken(request) : undefined,
      // The page has its own Log out button; the header's would repeat it.
      notice: loggedIn ? undefined : noticeText(HOME_NOTICES, notice),
      embedded: Boolean(this.emulator),
    };
  }
}
