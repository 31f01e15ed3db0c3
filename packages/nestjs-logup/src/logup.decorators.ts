import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { LOGUP_CALLBACK_KEY, LOGUP_PUBLIC_KEY, LOGUP_REQUEST_PROPERTY } from './logup.constants.js';
import { httpPairOf } from './logup.context.js';
import { LogupError } from './logup.errors.js';
import { LOGUP_USER_PROPERTY } from './logup.login-handler.js';
import { LOGUP_MESSAGES } from './logup.messages.js';
import { LogupSubscription } from './logup.subscription.js';

/**
 * Opts a route (or a whole controller) out of `LogupGuard`, e.g. when the guard is
 * registered globally as `APP_GUARD`.
 * @example `@LogupPublic() @Get('/') home() {}`
 */
export const LogupPublic = (): MethodDecorator & ClassDecorator => SetMetadata(LOGUP_PUBLIC_KEY, true);

/**
 * Marks a route as a LogUp callback: `LogupGuard` verifies `logupToken` there (it
 * does anyway on `callbackPath`, default `/logup/callback`) and nowhere else.
 * @example `@LogupCallback() @UseGuards(LogupGuard) @Get('auth/logup') done() {}`
 */
export const LogupCallback = (): MethodDecorator & ClassDecorator => SetMetadata(LOGUP_CALLBACK_KEY, true);

/** What `@Subscription()` can select. */
export type LogupSubscriptionProperty = 'idSubscription' | 'idActor' | 'isNewUser' | 'db';

/** The subscription `LogupGuard` attached to a request, or undefined. */
export function subscriptionOf(request: unknown): LogupSubscription | undefined {
  const value = (request as Record<string, unknown> | undefined)?.[LOGUP_REQUEST_PROPERTY];
  return value instanceof LogupSubscription ? value : undefined;
}

/**
 * The visitor's `LogupSubscription` (DB operations included), as verified by
 * `LogupGuard`; or one of its properties. Works in HTTP and GraphQL resolvers.
 * @example
 * `@UseGuards(LogupGuard) @Get('me') me(@Subscription() subscription: LogupSubscription) {}`
 * @example
 * `@UseGuards(LogupGuard) @Get('id') id(@Subscription('idSubscription') id: string) {}`
 */
export const Subscription: (property?: LogupSubscriptionProperty) => ParameterDecorator = createParamDecorator(
  (property: LogupSubscriptionProperty | undefined, context: ExecutionContext) => {
    const subscription = subscriptionOf(httpPairOf(context).request);
    if (!subscription) {
      throw new LogupError(
        'LOGUP_NO_GUARD',
        LOGUP_MESSAGES.noGuard(`${context.getClass().name}.${context.getHandler().name}`),
      );
    }
    return property === undefined ? subscription : subscription[property];
  },
);

/**
 * The same decorator as {@link Subscription}, under a name that collides neither with
 * rxjs's `Subscription` in auto-imports nor with `@nestjs/graphql`'s `@Subscription()`.
 */
export const CurrentSubscription = Subscription;

/**
 * What the app's `LogupLoginHandler` returned for this visitor (on the callback, and on
 * later requests when it has `onRequest`), or undefined.
 * @example `@Get('me') me(@LogupUser() user: User) {}`
 */
export const LogupUser: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => httpPairOf(context).request[LOGUP_USER_PROPERTY],
);
