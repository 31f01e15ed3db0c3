import {
  applyDecorators,
  Body,
  Controller,
  createParamDecorator,
  Get,
  NotFoundException,
  Post,
  Query,
  Render,
  Req,
  Res,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  LogupGuard,
  LogupUser,
  LogupValidationError,
  Subscription,
  subscriptionOf,
  type LogupSubscription,
} from 'nestjs-logup';
import { CsrfGuard, csrfToken } from '../infra/csrf.js';
import { VisitorWriteLimit } from '../infra/write-rate-limit.js';
import { FORM_MESSAGES, friendlyDbRefusal, friendlyIssues } from '../messages.js';
import { NOTICES, noticeText } from '../notices.js';
import { typedValue, type UpdateForm } from './db-form.js';
import { LiveGateway } from './live.gateway.js';
import { DISPLAY_NAME_MAX, displayNameOf } from './profile.login-handler.js';
import { ProfileStore, type Profile } from './profile.store.js';

type Request = Record<string, unknown> & { headers: Record<string, string | undefined>; protocol?: string };

/** A form post on the account page: `LogupGuard`, then the CSRF check. */
const AccountForm = (path: string) => applyDecorators(Post(path), UseGuards(LogupGuard, CsrfGuard));

/** Who posted an account form: the request and the subscription `LogupGuard` attached to it. */
interface Visit {
  request: Request;
  subscription: LogupSubscription;
}

const Visit = createParamDecorator((_: unknown, context: ExecutionContext): Visit => {
  const request = context.switchToHttp().getRequest<Request>();
  return { request, subscription: subscriptionOf(request)! };
});

/** What the account page shows besides the account: a notice, or a form's problems and input. */
interface PageExtras {
  notice?: string;
  updateErrors?: string[];
  deleteErrors?: string[];
  form?: UpdateForm;
  profileErrors?: string[];
}

/** `2026-11-28 12:46 UTC` from an ISO 8601 time. */
function readableUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The account page (`/me`) and its forms: the profile's rename, the LogUp DB's save and delete. */
@Controller()
export class AccountController {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly profiles: ProfileStore,
    private readonly writes: VisitorWriteLimit,
    private readonly live: LiveGateway,
  ) {}

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
  @AccountForm('me/profile')
  async renameProfile(@Res() response: unknown, @Visit() visit: Visit, @Body('displayName') typed: unknown) {
    const { idSubscription } = await this.countWrite(visit);
    const displayName = displayNameOf(typed);
    if (displayName === undefined) {
      return this.showProblems(response, visit, { profileErrors: [FORM_MESSAGES.badDisplayName(DISPLAY_NAME_MAX)] });
    }
    if (!(await this.profiles.rename(idSubscription, displayName))) {
      throw new NotFoundException('You have no profile on this site yet: log out, then log in again to make one.');
    }
    return this.http.redirect(response, 303, '/me?notice=renamed');
  }

  @AccountForm('me/db')
  async update(@Res() response: unknown, @Visit() visit: Visit, @Body() form: UpdateForm) {
    const subscription = await this.countWrite(visit);
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
    return this.showProblems(response, visit, { updateErrors, form });
  }

  @AccountForm('me/db/delete')
  async remove(@Res() response: unknown, @Visit() visit: Visit, @Body('keys') keys: unknown) {
    const subscription = await this.countWrite(visit);
    try {
      await subscription.deleteDbValues((typeof keys === 'string' ? [keys] : (keys ?? [])) as string[]);
      this.live.dbChanged(subscription.idSubscription);
    } catch (error) {
      if (!(error instanceof LogupValidationError)) throw error;
      return this.showProblems(response, visit, { deleteErrors: friendlyIssues(error) });
    }
    return this.http.redirect(response, 303, '/me?notice=deleted');
  }

  /** Counts one change towards the visitor's WRITE_RATE_LIMIT (429 past it); answers their subscription. */
  private async countWrite({ subscription }: Visit): Promise<LogupSubscription> {
    await this.writes.consume(subscription.idSubscription);
    return subscription;
  }

  /**
   * The account page again, 400, with a form's problems. The profile is read as the
   * login hook read it for `LogupGuard` on this request (`onRequest`): nothing has changed it since.
   */
  private async showProblems(response: unknown, { request, subscription }: Visit, extra: PageExtras) {
    const profile = await this.profiles.find(subscription.idSubscription);
    this.http.status(response, 400);
    return this.http.render(response, 'me', await this.mePage(request, subscription, profile, extra));
  }

  private async mePage(
    request: Request,
    subscription: LogupSubscription,
    profile: Profile | undefined,
    extra: PageExtras,
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
}
