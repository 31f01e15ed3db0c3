import { applyDecorators, Controller, Get, Redirect, Req, UseGuards, type Type } from '@nestjs/common';
import { LogupGuard, LogupService, Subscription } from 'nestjs-logup';

/**
 * The login routes the end-to-end apps share: `GET /logup/login` starts a login and
 * answers its nonce (null when loginBinding does not use one), and `GET /logup/callback`
 * logs in through LogupGuard and answers the idSubscription — or, given `redirectTo`,
 * a 303 there with an empty body, as the README's callback does.
 */
export function loginRoutes({ redirectTo }: { redirectTo?: string } = {}): Type {
  const callbackAnswer = redirectTo ? Redirect(redirectTo, 303) : applyDecorators();

  @Controller('logup')
  class LoginRoutes {
    constructor(private readonly logup: LogupService) {}

    @Get('login')
    async start(@Req() request: unknown) {
      return { nonce: (await this.logup.startLogin(request))?.nonce ?? null };
    }

    @UseGuards(LogupGuard)
    @Get('callback')
    @callbackAnswer
    callback(@Subscription('idSubscription') idSubscription: string) {
      return redirectTo ? undefined : { idSubscription };
    }
  }
  return LoginRoutes;
}

/** {@link loginRoutes} answering JSON. */
export const LoginRoutes = loginRoutes();
