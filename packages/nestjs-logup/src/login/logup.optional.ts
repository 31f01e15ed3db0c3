import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { RouteTargets } from './logup.guard-routes.js';

/** Route metadata key set by `@LogupOptional()`. */
const LOGUP_OPTIONAL_KEY = 'logup:optional';

/**
 * Optional authentication on a route, a controller, a gateway or one of its
 * handlers: `LogupGuard` attaches the visitor's subscription when the session holds
 * a login and lets everyone else through (never a 401, a redirect or a
 * `WsException` for a missing login). A `logupToken` there is still refused (400;
 * on a socket, a `WsException`). `@CurrentSubscription()` / `@Subscription()` then
 * return `undefined` for an anonymous visitor instead of throwing.
 * @example `@LogupOptional() @UseGuards(LogupGuard) @Get('/') home(@CurrentSubscription() s?: LogupSubscription) {}`
 */
export const LogupOptional = (): MethodDecorator & ClassDecorator => SetMetadata(LOGUP_OPTIONAL_KEY, true);

/** Whether `@LogupOptional()` marks the handler or its class. */
export function isOptionalRoute(reflector: Reflector, targets: RouteTargets): boolean {
  return reflector.getAllAndOverride<boolean | undefined>(LOGUP_OPTIONAL_KEY, targets) === true;
}

/** The same check for a param decorator, which has no Reflector. */
export function isOptionalContext(context: ExecutionContext): boolean {
  return [context.getHandler(), context.getClass()].some(
    (target) => Reflect.getMetadata(LOGUP_OPTIONAL_KEY, target) === true,
  );
}
