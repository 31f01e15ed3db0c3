import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { LOGUP_LOGIN_HANDLER, LogupGuard, LogupUser } from 'nestjs-logup';
import { UsersLoginHandler, type User } from './users.login-handler.js';

@Controller()
@UseGuards(LogupGuard)
export class AccountController {
  // The route handler runs after onLogin: the user is already on the request.
  @Get('logup/callback')
  callback(@LogupUser() user: User) {
    return user;
  }

  @Get('me')
  me(@LogupUser() user: User) {
    return user;
  }
}

// Provide the handler in the module of the guarded controllers (or globally).
@Module({
  controllers: [AccountController],
  providers: [UsersLoginHandler, { provide: LOGUP_LOGIN_HANDLER, useExisting: UsersLoginHandler }],
})
export class AccountModule {}
