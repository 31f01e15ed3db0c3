import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { LOGUP_CALLBACK_KEY, LOGUP_PUBLIC_KEY } from '../logup.constants.js';
import { httpPairOf } from './logup.request.js';
import { LogupError } from '../errors/logup.errors.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import { isOptionalContext } from './logup.optional.js';
import { gatesOf, loginOf, subscriptionOf } from './logup.request.js';
import { socketRequestOf } from '../sockets/logup.ws-context.js';

export { subscriptionOf } from './logup.request.js';

/**
 * Opts a route (or a whole controller) out of `LogupGuard`, e.g. when the guard is
 * registered globally as `APP_GUARD`. With no gate named, out of every gate's guard;
 * with names, out of those gates' guards only (`@LogupPublic('default')` on a route
 * of the `b2b` gate under a global default guard).
 * @example `@LogupPublic() @Get('/') home() {}`
 * @example `@LogupPublic('default') @UseGuards(LogupGuard.for('b2b')) @Get('b2b/me') me() {}`
 */
export const LogupPublic = (...gates: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(LOGUP_PUBLIC_KEY, gates.length === 0 ? true : gates);

/**
 * Marks a route as a LogUp callback: `LogupGuard` verifies `logupToken` there (it
 * does anyway on `callbackPath`, default `/logup/callback`) and nowhere else.
 * @example `@LogupCallback() @UseGuards(LogupGuard) @Get('auth/logup') done() {}`
 */
export const LogupCallback = (): MethodDecorator & ClassDecorator => SetMetadata(LOGUP_CALLBACK_KEY, true);

/** What `@Subscription()` can select. */
export type LogupSubscriptionProperty = 'idSubscription' | 'idActor' | 'isNewUser' | 'db';

/** Which gate's subscription `@CurrentSubscription()` reads, and optionally one property of it. */
export interface LogupSubscriptionSelection {
  /** The gate's name (`forRoot({ name })`). Default: the only gate the request is logged in to. */
  gate?: string;
  property?: LogupSubscriptionProperty;
}

/** The request of a context: HTTP, GraphQL, or a gateway socket's handshake (`ws`). */
const requestOf = (context: ExecutionContext) =>
  context.getType() === 'ws' ? socketRequestOf(context) : httpPairOf(context).request;

const where = (context: ExecutionContext) => `${context.getClass().name}.${context.getHandler().name}`;

/**
 * The visitor's `LogupSubscription` (DB operations included), as verified by
 * `LogupGuard`; or one of its properties. With several gates on one request, name
 * the gate. Works in HTTP routes, GraphQL resolvers and gateway handlers. On a
 * `@LogupOptional()` route without a login: `undefined`.
 * @throws LogupError `LOGUP_NO_GUARD` when no guard of that gate attached a
 *   subscription, or when the request carries several gates and none is named.
 * @example
 * `@UseGuards(LogupGuard) @Get('me') me(@Subscription() subscription: LogupSubscription) {}`
 * @example
 * `@UseGuards(LogupGuard) @Get('id') id(@Subscription('idSubscription') id: string) {}`
 * @example
 * `@UseGuards(LogupGuard.for('b2b')) @Get('b2b/me') me(@CurrentSubscription({ gate: 'b2b' }) s: LogupSubscription) {}`
 */
export const Subscription: (selection?: LogupSubscriptionProperty | LogupSubscriptionSelection) => ParameterDecorator =
  createParamDecorator(
    (selection: LogupSubscriptionProperty | LogupSubscriptionSelection | undefined, context: ExecutionContext) => {
      const { gate, property } =
        typeof selection === 'string' ? { gate: undefined, property: selection } : (selection ?? {});
      const request = requestOf(context);
      const subscription = subscriptionOf(request, gate);
      if (!subscription && isOptionalContext(context)) return undefined;
      if (!subscription) {
        const gates = gatesOf(request);
        const message =
          gate === undefined && gates.length > 1
            ? LOGUP_MESSAGES.ambiguousGate(where(context), gates)
            : LOGUP_MESSAGES.noGuard(where(context), gate);
        throw new LogupError('LOGUP_NO_GUARD', message);
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
 * later requests when it has `onRequest`), or undefined. Name the gate when the
 * request carries several.
 * @example `@Get('me') me(@LogupUser() user: User) {}`
 */
export const LogupUser: (gate?: string) => ParameterDecorator = createParamDecorator(
  (gate: string | undefined, context: ExecutionContext) => loginOf(requestOf(context), gate)?.user,
);
