import { HttpService } from '@nestjs/axios';
import {
  BadRequestException,
  Controller,
  Get,
  HttpException,
  UnauthorizedException,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import axios from 'axios';
import { LogupError } from '../errors/logup.errors.js';
import { LogupApiClient } from '../http/logup-api.client.js';
import { LogupService } from '../logup.service.js';
import { resolveLogupConfig } from '../options/logup.config.js';
import { newLoginValue } from '../session/logup.session.js';
import { LogupCallback, LogupPublic } from './logup.decorators.js';
import { LogupTokenNotAcceptedException } from './logup.exceptions.js';
import { LogupGuard } from './logup.guard.js';
import { attachLogin, loginOf, subscriptionOf } from './logup.request.js';

// The guard's decisions one by one, on hand-made execution contexts (as throttler's
// guard spec does). LogUp is a closed loopback port: none of these decisions may call
// it, and a call would fail the test with LOGUP_UNAVAILABLE.
const config = resolveLogupConfig({
  idGate: 'gate_guard_spec',
  secret: 'secret_guard_spec_value',
  baseUrl: 'http://127.0.0.1:9',
  loginUrl: '/login',
  retry: { retries: 0 },
});
const client = new LogupApiClient(new HttpService(axios.create()), config);
const logup = new LogupService(client, config);
const guard = new LogupGuard(new Reflector(), logup, config);
const TOKEN = 'a'.repeat(40);

@Controller()
class RoutesController {
  @Get('account') account(): void {}
  @LogupPublic() @Get('home') home(): void {}
  @LogupPublic('other') @Get('other-public') otherPublic(): void {}
  @LogupCallback() @Get('marked-callback') markedCallback(): void {}
}

type Request = Record<string, unknown> & { headers: Record<string, string>; session?: Record<string, unknown> };

/** An HTTP execution context for a handler of RoutesController. */
function contextFor(handler: keyof RoutesController, request: Request, response = { headers: {} as object }) {
  const headers: Record<string, string> = {};
  const res = { ...response, header: (name: string, value: string) => (headers[name] = value) };
  const context = {
    getType: () => 'http',
    getHandler: () => RoutesController.prototype[handler],
    getClass: () => RoutesController,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { context, headers };
}

const request = (url: string, extra: Partial<Request> = {}): Request => ({
  method: 'GET',
  url,
  query: Object.fromEntries(new URL(url, 'http://x').searchParams),
  headers: { accept: 'application/json' },
  session: {},
  ...extra,
});

async function refusal(promise: Promise<unknown>): Promise<HttpException | LogupError> {
  try {
    await promise;
  } catch (error) {
    return error as HttpException | LogupError;
  }
  throw new Error('the guard let the request through');
}

afterAll(() => client.onModuleDestroy());

describe('LogupGuard decisions', () => {
  it('lets a @LogupPublic() route through without a login, but not one public for another gate only', async () => {
    expect(await guard.canActivate(contextFor('home', request('/home')).context)).toBe(true);
    const error = await refusal(guard.canActivate(contextFor('otherPublic', request('/other-public')).context));
    expect(error).toBeInstanceOf(UnauthorizedException);
  });

  it('answers 401 without a login, and redirects a browser page to loginUrl', async () => {
    expect(await refusal(guard.canActivate(contextFor('account', request('/account')).context))).toBeInstanceOf(
      UnauthorizedException,
    );
    const page = request('/account', { headers: { accept: 'text/html' } });
    const { context, headers } = contextFor('account', page);
    const error = (await refusal(guard.canActivate(context))) as HttpException;
    expect({ status: error.getStatus(), location: headers.Location }).toEqual({ status: 303, location: '/login' });
  });

  it('restores a login from the session and attaches it for this gate', async () => {
    const session = { logup: newLoginValue({ idSubscription: 'sub_guard_spec', idActor: 'acr_guard_spec' }) };
    const restored = request('/account', { session });
    expect(await guard.canActivate(contextFor('account', restored).context)).toBe(true);
    expect(subscriptionOf(restored, 'default')).toMatchObject({ idSubscription: 'sub_guard_spec' });
    expect(loginOf(restored, 'other')).toBeUndefined();
  });

  it('refuses a logupToken off the callback route (400) without verifying it', async () => {
    const off = request(`/account?logupToken=${TOKEN}&isNewUser=false`);
    const error = await refusal(guard.canActivate(contextFor('account', off).context));
    expect(error).toBeInstanceOf(LogupTokenNotAcceptedException);
  });
});

describe('LogupGuard decisions on callbacks and contexts', () => {
  it('checks a callback query before anything else: a malformed one is a 400, LogUp never asked', async () => {
    const callback = request('/marked-callback?logupToken=short&isNewUser=maybe');
    const error = await refusal(guard.canActivate(contextFor('markedCallback', callback).context));
    expect(error).toBeInstanceOf(BadRequestException);
  });

  it('does not run twice for one gate on one request (a global guard and the route own)', async () => {
    const twice = request(`/account?logupToken=${TOKEN}&isNewUser=false`);
    attachLogin(twice, 'default', logup.subscription('sub_guard_spec'));
    expect(await guard.canActivate(contextFor('account', twice).context)).toBe(true);
  });

  it('refuses RPC contexts with a developer error', async () => {
    const rpc = { ...contextFor('account', request('/account')).context, getType: () => 'rpc' } as ExecutionContext;
    const error = await refusal(guard.canActivate(rpc));
    expect(error).toMatchObject({ code: 'LOGUP_UNSUPPORTED_CONTEXT' });
  });

  it('names the gate of a named guard class', () => {
    expect(LogupGuard.for('b2b').name).toBe('LogupGuard(b2b)');
    expect(LogupGuard.for('b2b')).toBe(LogupGuard.for('b2b'));
  });
});
