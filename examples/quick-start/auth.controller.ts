import {
  Controller,
  Get,
  Header,
  HttpCode,
  InternalServerErrorException,
  Post,
  Redirect,
  Req,
  UseGuards,
} from '@nestjs/common';
import { CurrentSubscription, LogupGuard, LogupService, type LogupSubscription } from 'nestjs-logup';

@Controller()
export class AuthController {
  constructor(private readonly logup: LogupService) {}

  // The "Log in with LogUp" button: a form of this site that POSTs to logup/login.
  @Get('login')
  @Header('Content-Type', 'text/html; charset=utf-8')
  loginPage() {
    return '<form method="post" action="/logup/login"><button>Log in with LogUp</button></form>';
  }

  // Remember in this browser's session that it started a login, then send it to
  // LogUp's hosted page. A POST, and startLogin() answers 403 to a login another
  // site started: no other page can start a login here and finish it with its own token.
  @Post('logup/login')
  @Redirect()
  async login(@Req() request: object) {
    const url = process.env.LOGUP_LOGIN_URL; // LogUp's hosted page, exactly as its console gives it
    if (!url) throw new InternalServerErrorException('Set LOGUP_LOGIN_URL to the LogUp login page of your gate');
    await this.logup.startLogin(request);
    return { url, statusCode: 303 };
  }

  // The gate's redirect URL. The guard checks that this browser started the login,
  // verifies logupToken with LogUp and keeps the visitor in the session.
  @Get('logup/callback')
  @UseGuards(LogupGuard)
  @Redirect('/me', 303)
  callback() {}

  // A protected route: the guard finds the visitor in the session (401 without).
  @Get('me')
  @UseGuards(LogupGuard)
  async me(@CurrentSubscription() subscription: LogupSubscription) {
    const { visits = 0 } = await subscription.getDb(['visits']);
    const db = await subscription.updateDb({ visits: Number(visits) + 1 });
    return { idSubscription: subscription.idSubscription, db };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: object) {
    await this.logup.logout(request);
  }
}
