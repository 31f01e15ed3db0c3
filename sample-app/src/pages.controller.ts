import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Body,
  Controller,
  Get,
  Header,
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
  LogupUser,
  LogupValidationError,
  Subscription,
  type LogupDbValue,
  type LogupSessionValue,
  type LogupSubscription,
} from 'nestjs-logup';
import { CsrfGuard, csrfToken } from './csrf.js';
import { EMBEDDED_LOGUP } from './embedded-logup.module.js';
import { DISPLAY_NAME_MAX, displayNameOf } from './profile.login-handler.js';
import { ProfileStore, type Profile } from './profile.store.js';
import { sessionOf } from './session.js';

type Request = Record<string, unknown> & { headers: Record<string, string | undefined>; protocol?: string };

const STYLESHEET = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'app.css'), 'utf8');

/** What /me?notice=<code> may say. */
const NOTICES = {
  saved: 'Saved.',
  deleted: 'Deleted the selected keys.',
  renamed: 'Saved your display name.',
} as const;
type Notice = keyof typeof NOTICES;

const VALUE_TYPES = ['string', 'number', 'boolean'] as const;
type ValueType = (typeof VALUE_TYPES)[number];

interface UpdateForm {
  key?: unknown;
  value?: unknown;
  type?: unknown;
}

/** Turns the form's text into the typed value LogUp stores, or says why it cannot. */
function typedValue(form: UpdateForm): { value: LogupDbValue } | { problem: string } {
  const type = VALUE_TYPES.includes(form.type as ValueType) ? (form.type as ValueType) : 'string';
  if (typeof form.value !== 'string') return { problem: 'value must be a single text field' };
  if (type === 'number') {
    const n = Number(form.value);
    return form.value.trim() !== '' && Number.isFinite(n) ? { value: n } : { problem: 'value is not a number' };
  }
  if (type === 'boolean') {
    return form.value === 'true' || form.value === 'false'
      ? { value: form.value === 'true' }
      : { problem: 'value must be true or false' };
  }
  return { value: form.value };
}

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
  ) {}

  /** The home page: a login button (a form, see LoginController.login), or a link to the account. */
  @Get()
  @Render('home')
  home(@Req() request: Request) {
    // Only to choose the button: /me itself is guarded (expiry and logout checked by LogupGuard).
    const login = sessionOf(request).get<Partial<LogupSessionValue>>('logup');
    const maxAgeMs = this.config.getOrThrow<number>('sessionMaxAgeSeconds') * 1000;
    const loggedIn = typeof login?.issuedAt === 'number' && Date.now() - login.issuedAt < maxAgeMs;
    const csrf = csrfToken(request);
    return {
      title: 'LogUp sample',
      loggedIn,
      csrf,
      logoutCsrf: loggedIn ? csrf : undefined,
      embedded: Boolean(this.emulator),
    };
  }

  /** The only stylesheet (the CSP allows no inline style); cacheable, unlike the pages. */
  @Get('app.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  stylesheet() {
    return STYLESHEET;
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
    // A fixed text per code: the URL can choose which one, never what it says.
    const text = typeof notice === 'string' && Object.hasOwn(NOTICES, notice) ? NOTICES[notice as Notice] : undefined;
    return this.mePage(request, subscription, profile, { notice: text });
  }

  /** Renames the visitor's profile on this site (not their LogUp DB). */
  @Post('me/profile')
  @UseGuards(LogupGuard, CsrfGuard)
  async renameProfile(
    @Req() request: Request,
    @Res() response: unknown,
    @Subscription() subscription: LogupSubscription,
    @LogupUser() profile: Profile | undefined,
    @Body('displayName') typed: unknown,
  ) {
    const displayName = displayNameOf(typed);
    if (displayName === undefined) {
      const problem = `displayName must be 1 to ${DISPLAY_NAME_MAX} characters, without control characters`;
      const page = await this.mePage(request, subscription, profile, { profileErrors: [problem] });
      return this.renderWithStatus(response, 400, page);
    }
    if (!(await this.profiles.rename(subscription.idSubscription, displayName))) {
      throw new NotFoundException('You have no profile on this site yet: log out, then log in again to make one');
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
    const typed = typedValue(form);
    const key = typeof form.key === 'string' ? form.key : '';
    try {
      if ('problem' in typed) throw new LogupValidationError('DB update', [{ path: 'value', message: typed.problem }]);
      await subscription.updateDb({ [key]: typed.value });
    } catch (error) {
      if (!(error instanceof LogupValidationError)) throw error;
      return this.renderWithStatus(
        response,
        400,
        await this.mePage(request, subscription, profile, { updateError: error, form }),
      );
    }
    return this.http.redirect(response, 303, '/me?notice=saved');
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
    try {
      await subscription.deleteDbValues((typeof keys === 'string' ? [keys] : (keys ?? [])) as string[]);
    } catch (error) {
      if (!(error instanceof LogupValidationError)) throw error;
      const page = await this.mePage(request, subscription, profile, { deleteError: error });
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
      updateError?: LogupValidationError;
      deleteError?: LogupValidationError;
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
      updateErrors: extra.updateError?.issues.map((i) => `${i.path} ${i.message}`),
      deleteErrors: extra.deleteError?.issues.map((i) => `${i.path} ${i.message}`),
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
