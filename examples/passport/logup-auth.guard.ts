import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

// The callback: AuthGuard('logup') runs LogupStrategy, then logIn() keeps
// request.user in passport's session (through the app's PassportSerializer).
@Injectable()
export class LogupAuthGuard extends AuthGuard('logup') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    await super.canActivate(context);
    await super.logIn(context.switchToHttp().getRequest());
    return true;
  }
}

// Every other protected route: passport restored request.user from the session.
@Injectable()
export class LoggedInGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ isAuthenticated(): boolean }>();
    if (!request.isAuthenticated()) throw new UnauthorizedException();
    return true;
  }
}
