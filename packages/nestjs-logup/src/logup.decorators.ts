import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { LOGUP_PUBLIC_KEY, LOGUP_REQUEST_PROPERTY } from './logup.constants.js';
import { LogupError } from './logup.errors.js';
import { LogupSubscription } from './logup.subscription.js';

/**
 * Opts a route (or a whole controller) out of `LogupGuard`, e.g. when the guard is
 * registered globally as `APP_GUARD`.
 * @example `@LogupPublic() @Get('/') home() {}`
 */
export const LogupPublic = (): MethodDecorator & ClassDecorator => SetMetadata(LOGUP_PUBLIC_KEY, true);

/** What `@Subscription()` can select. */
export type LogupSubscriptionProperty = 'idSubscription' | 'idActor' | 'isNewUser' | 'db';

/** The subscription `LogupGuard` attached to a request, or undefined. */
export function subscriptionOf(request: unknown): LogupSubscription | undefined {
  const value = (request as Record<string, unknown> | undefined)?.[LOGUP_REQUEST_PROPERTY];
  return value instanceof LogupSubscription ? value : undefined;
}

/**
 * The visitor's `LogupSubscription` (DB operations included), as verified by
 * `LogupGuard`; or one of its properties.
 * @example
 * `@UseGuards(LogupGuard) @Get('me') me(@Subscription() subscription: LogupSubscription) {}`
 * @example
 * `@UseGuards(LogupGuard) @Get('id') id(@Subscription('idSubscription') id: string) {}`
 */
export const Subscription = createParamDecorator(
  (property: LogupSubscriptionProperty | undefined, context: ExecutionContext) => {
    const subscription = subscriptionOf(context.switchToHttp().getRequest());
    if (!subscription) {
      throw new LogupError(
        'LOGUP_NO_GUARD',
        `@Subscription() found no LogUp subscription on ${context.getClass().name}.${context.getHandler().name}: ` +
          'protect the route with @UseGuards(LogupGuard) (or register LogupGuard as APP_GUARD) and do not mark it @LogupPublic()',
      );
    }
    return property === undefined ? subscription : subscription[property];
  },
);
