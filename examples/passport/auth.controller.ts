import { Controller, Get, HttpCode, Post, Redirect, Req, UseGuards } from '@nestjs/common';
import { LogupService } from 'nestjs-logup';
import { LoggedInGuard, LogupAuthGuard } from './logup-auth.guard.js';

interface PassportRequest {
  user?: unknown;
  logout(done: (error?: Error) => void): void;
}

@Controller()
export class AuthController {
  constructor(private readonly logup: LogupService) {}

  // The "Log in with LogUp" form of this site POSTs here (startLogin() refuses a login
  // another site started, 403); the strategy refuses callbacks this browser did not start.
  @Post('logup/login')
  @Redirect()
  async login(@Req() request: object) {
    await this.logup.startLogin(request);
    return { url: process.env.LOGUP_LOGIN_URL, statusCode: 303 };
  }

  // The gate's redirect URL.
  @Get('logup/callback')
  @UseGuards(LogupAuthGuard)
  callback(@Req() request: PassportRequest) {
    return { user: request.user };
  }

  @Get('me')
  @UseGuards(LoggedInGuard)
  me(@Req() request: PassportRequest) {
    return { user: request.user };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: PassportRequest) {
    await new Promise<void>((resolve, reject) => request.logout((error) => (error ? reject(error) : resolve())));
  }
}
