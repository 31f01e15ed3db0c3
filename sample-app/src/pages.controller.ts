import { LiveGateway } from './live.gateway.js';
import {
  Body,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Post,
  Query,
  Render,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { LogupEmulator } from 'logup-emulator';
import {
  LogupGuard,
  LogupService,
  LogupUser,
  LogupValidationError,
  Subscription,
  type LogupSubscription,
} from 'nestjs-logup';
import { CsrfGuard, csrfToken } from './csrf.js';
import { EMBEDDED_LOGUP } from './embedded-logup.module.js';
import { DISPLAY_NAME_MAX, displayNameOf } from './profile.login-handler.js';
import { FORM_MESSAGES, friendlyDbRefusal, friendlyIssues } from './messages.js';
import { NOTICES, HOME_NOTICES, noticeText } from './notices.js';
import { typedValue, type UpdateForm } from './db-form.js';
import { ProfileStore, type Profile } from './profile.store.js';
import { VisitorWriteLimit } from './write-rate-limit.js';

type Request = Record<string, unknown> & { headers: Record<string, string | undefined>; protocol?: string };

/** `2026-11-28 12:46 UTC` from an ISO 8601 time. */
function readableUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

@Controller()
export class PagesController {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ConfigService,
    @Inject(EMBEDDED_LOGUP) private readonly emulator: LogupEmulator | null,
    private readonly profiles: ProfileStore,
    private readonly logup: LogupService,
    private readonly writes: VisitorWriteLimit,
    private readonly live: LiveGateway,
  ) {}

  /**
   * The home page: a login button (a form, see LoginController.login), or links to the
   * account and to log out. An anonymous view writes nothing to the session (the login
   * form carries no token), so it stores no session anywhere and sets no cookie.
   */
  @Get()
  @Render('home')
  async home(@Req() request: Request, @Query('notice') notice?: unknown) {
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

  /** The visitor's account, from the session only (a logupToken here is refused, 400). */
  @Get('me')
  @UseGuards(LogupGuard)
  @Render('me')
  async me(
    @Req() request: Request,
    @Subscription() subscription: LogupSubscription,
    @LogupUser() profile: Profile | undefined,
    @Query('notice') notice?: unknown,
  ) {
    return this.mePage(request, subscription, profile, { notice: noticeText(NOTICES, notice) });
  }

  /** Renames the visitor's profile on this site (not their LogUp DB). Every change counts towards WRITE_RATE_LIMIT. */
  @Post('me/profile')
  @UseGuards(LogupGuard, CsrfGuard)
  async renameProfile(
    @Req() request: Request,
    @Res() response: unknown,
    @Subscription() subscription: LogupSubscription,
    @LogupUser() profile: Profile | undefined,
    @Body('displayName') typed: unknown,
  ) {
    await this.writes.consume(subscription.idSubscription);
    const displayName = displayNameOf(typed);
    if (displayName === undefined) {
      const problem = FORM_MESSAGES.badDisplayName(DISPLAY_NAME_MAX);
      const page = await this.mePage(request, subscription, profile, { profileErrors: [problem] });
      return this.renderWithStatus(response, 400, page);
    }
    if (!(await this.profiles.rename(subscription.idSubscription, displayName))) {
      throw new NotFoundException('You have no profile on this site yet: log out, then log in again to make one.');
    }
    return this.http.redirect(response, 303, '/me?notice=renamed');
  }

  @Post('me/db')
  @UseGuards(LogupGuard, CsrfGuard)
  async update(
    @Req() request: Request,
    @Res() response: unknown,
    @Subscription() subscription: LogupSubscription,
    @LogupUser() profile: Profile | undefined,
    @Body() form: UpdateForm,
  ) {
    await this.writes.consume(subscription.idSubscription);
    const typed = typedValue(form);
    const key = typeof form.key === 'string' ? form.key : '';
    let updateErrors: string[];
    try {
      if ('problem' in typed) {
        updateErrors = [typed.problem];
      } else {
        await subscription.updateDb({ [key]: typed.value });
        this.live.dbChanged(subscription.idSubscription);
        return this.http.redirect(response, 303, '/me?notice=saved');
      }
    } catch (error) {
      // The library's messages are for developers; the page says the same to people.
      const refusal = friendlyDbRefusal(error);
      if (error instanceof LogupValidationError) updateErrors = friendlyIssues(error);
      else if (refusal) updateErrors = [refusal];
      else throw error;
    }
    return this.renderWithStatus(
      response,
      400,
      await this.mePage(request, subscription, profile, { updateErrors, form }),
    );
  }

  @Post('me/db/delete')
  @UseGuards(LogupGuard, CsrfGuard)
  async remove(
    @Req() request: Request,
    @Res() response: unknown,
    @Subscription() subscription: LogupSubscription,
    @LogupUser() profile: Profile | undefined,
    @Body('keys') keys: unknown,
  ) {
    await this.writes.consume(subscription.idSubscription);
    try {
      await subscription.deleteDbValues((typeof keys === 'string' ? [keys] : (keys ?? [])) as string[]);
      this.live.dbChanged(subscription.idSubscription);
    } catch (error) {
      if (!(error instanceof LogupValidationError)) throw error;
      const page = await this.mePage(request, subscription, profile, { deleteErrors: friendlyIssues(error) });
      return this.renderWithStatus(response, 400, page);
    }
    return this.http.redirect(response, 303, '/me?notice=deleted');
  }

  private async mePage(
    request: Request,
    subscription: LogupSubscription,
    profile: Profile | undefined,
    extra: {
      notice?: string;
      updateErrors?: string[];
      deleteErrors?: string[];
      form?: UpdateForm;
      profileErrors?: string[];
    },
  ) {
    const db = await subscription.getDb();
    const csrf = csrfToken(request);
    return {
      title: 'Your LogUp account',
      idSubscription: subscription.idSubscription,
      idActor: subscription.idActor,
      isNewUser: subscription.isNewUser,
      profile: profile && {
        displayName: profile.displayName,
        firstLoginAt: profile.firstLoginAt,
        firstLogin: readableUtc(profile.firstLoginAt),
        loginCount: profile.loginCount,
      },
      profileErrors: extra.profileErrors,
      displayNameMax: DISPLAY_NAME_MAX,
      rows: Object.entries(db).map(([key, value]) => ({ key, value: String(value), type: typeof value })),
      keyCount: Object.keys(db).length,
      csrf,
      logoutCsrf: csrf,
      notice: extra.notice,
      updateErrors: extra.updateErrors,
      deleteErrors: extra.deleteErrors,
      form: {
        key: typeof extra.form?.key === 'string' ? extra.form.key : '',
        value: typeof extra.form?.value === 'string' ? extra.form.value : '',
        type: extra.form?.type,
        isNumber: extra.form?.type === 'number',
        isBoolean: extra.form?.type === 'boolean',
      },
    };
  }

  private get http() {
    return this.adapterHost.httpAdapter;
  }

  private renderWithStatus(response: unknown, status: number, data: object) {
    this.http.status(response, status);
    return this.http.render(response, 'me', data);
  }
}
