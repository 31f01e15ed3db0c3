import { Body, Controller, Get, Inject, Post, Query, Redirect, Render, Req, Res, UseGuards } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { LogupEmulator } from 'logup-emulator';
import {
  LogupGuard,
  LogupValidationError,
  Subscription,
  type LogupDbValue,
  type LogupSubscription,
} from 'nestjs-logup';
import { CsrfGuard, csrfToken } from './csrf.js';
import { EMBEDDED_LOGUP } from './embedded-logup.module.js';
import type { SampleConfig } from './sample.config.js';
import { sessionOf } from './session.js';

type Request = Record<string, unknown> & { headers: Record<string, string | undefined>; protocol?: string };

/** Where to go after logging in: a same-site path only (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])[\x21-\x7e]*$/.test(next)) return '/me';
  return next;
}

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

@Controller()
export class PagesController {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ConfigService,
    @Inject(EMBEDDED_LOGUP) private readonly emulator: LogupEmulator | null,
  ) {}

  @Get()
  @Render('home')
  home(@Req() request: Request) {
    const loggedIn = Boolean(sessionOf(request).get('logup'));
    return { title: 'LogUp sample', loggedIn, loginUrl: this.loginUrl(request), embedded: Boolean(this.emulator) };
  }

  /** LogUp redirects here; LogupGuard verifies the token and logs the visitor in. */
  @Get('logup/callback')
  @UseGuards(ThrottlerGuard, LogupGuard)
  @Redirect('/me', 303)
  callback(@Query('next') next: unknown) {
    return { url: safeNext(next), statusCode: 303 };
  }

  @Get('me')
  @UseGuards(LogupGuard)
  @Render('me')
  async me(@Req() request: Request, @Subscription() subscription: LogupSubscription, @Query('saved') saved?: string) {
    return this.mePage(request, subscription, { notice: typeof saved === 'string' ? saved : undefined });
  }

  @Post('me/db')
  @UseGuards(LogupGuard, CsrfGuard)
  async update(
    @Req() request: Request,
    @Res() response: unknown,
    @Subscription() subscription: LogupSubscription,
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
        await this.mePage(request, subscription, { updateError: error, form }),
      );
    }
    return this.http.redirect(response, 303, `/me?saved=${encodeURIComponent(`Saved "${key}"`)}`);
  }

  @Post('me/db/delete')
  @UseGuards(LogupGuard, CsrfGuard)
  async remove(
    @Req() request: Request,
    @Res() response: unknown,
    @Subscription() subscription: LogupSubscription,
    @Body('keys') keys: unknown,
  ) {
    try {
      await subscription.deleteDbValues((typeof keys === 'string' ? [keys] : (keys ?? [])) as string[]);
    } catch (error) {
      if (!(error instanceof LogupValidationError)) throw error;
      return this.renderWithStatus(response, 400, await this.mePage(request, subscription, { deleteError: error }));
    }
    return this.http.redirect(response, 303, `/me?saved=${encodeURIComponent('Deleted')}`);
  }

  @Post('logout')
  @UseGuards(CsrfGuard)
  @Redirect('/', 303)
  logout(@Req() request: Request) {
    sessionOf(request).destroy();
  }

  private async mePage(
    request: Request,
    subscription: LogupSubscription,
    extra: {
      notice?: string;
      updateError?: LogupValidationError;
      deleteError?: LogupValidationError;
      form?: UpdateForm;
    },
  ) {
    const db = await subscription.getDb();
    return {
      title: 'Your LogUp account',
      idSubscription: subscription.idSubscription,
      idActor: subscription.idActor,
      isNewUser: subscription.isNewUser,
      rows: Object.entries(db).map(([key, value]) => ({ key, value: String(value), type: typeof value })),
      keyCount: Object.keys(db).length,
      csrf: csrfToken(request),
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

  /** The hosted login page, sending the visitor back to this app's callback. */
  private loginUrl(request: Request): string {
    const pageUrl = this.emulator ? `${this.emulator.url}/login` : this.config.getOrThrow<string>('logup.loginPageUrl');
    const origin = this.config.get<string>('publicUrl') ?? `http://${request.headers.host ?? 'localhost'}`;
    const url = new URL(pageUrl);
    url.searchParams.set('gate', this.config.getOrThrow<SampleConfig['logup']>('logup').idGate);
    url.searchParams.set('redirect', `${origin}/logup/callback?next=%2Fme`);
    return url.toString();
  }

  private get http() {
    return this.adapterHost.httpAdapter;
  }

  private renderWithStatus(response: unknown, status: number, data: object) {
    this.http.status(response, status);
    return this.http.render(response, 'me', data);
  }
}
