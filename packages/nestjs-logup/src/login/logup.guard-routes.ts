import type { Type } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { LOGUP_CALLBACK_KEY, LOGUP_PUBLIC_KEY } from '../logup.constants.js';
import { pathOf, routePathOf } from './logup.request.js';

/** What a guard reads route metadata from: the handler, then its class. */
export type RouteTargets = Parameters<Reflector['getAll']>[1];

/** Nest's route metadata key for `@UseGuards()` (`GUARDS_METADATA`, unchanged since Nest 5). */
const GUARDS_METADATA = '__guards__';

/** The static property naming a named gate's guard class (`LogupGuard.for(name)`). */
export const GUARD_GATE = Symbol.for('nestjs-logup.guard-gate');

/** Whether `@LogupPublic()` (every gate) or `@LogupPublic(gate)` marks the handler or its class. */
export function isPublicFor(reflector: Reflector, targets: RouteTargets, gate: string): boolean {
  const marks = reflector.getAll<(boolean | string[] | undefined)[]>(LOGUP_PUBLIC_KEY, targets);
  return marks.some((mark) => mark === true || (Array.isArray(mark) && mark.includes(gate)));
}

/** A path without its trailing slashes (`/` stays `/`). */
const normalize = (path: string) => (path.length > 1 ? path.replace(/\/+$/, '') : path);

/**
 * Whether a request is on the callback route: a route marked `@LogupCallback()`, or one
 * the framework's router matched on `callbackPath` (Express's `route.path`, Fastify's
 * `routeOptions.url`: a trailing slash or a letter case the router accepts is the same
 * route), or a request path equal to it but for trailing slashes.
 */
export function isCallbackRoute(
  reflector: Reflector,
  request: Record<string, unknown>,
  targets: RouteTargets,
  callbackPath: string,
): boolean {
  if (reflector.getAllAndOverride<boolean | undefined>(LOGUP_CALLBACK_KEY, targets)) return true;
  const callback = normalize(callbackPath);
  const route = routePathOf(request);
  return (route !== undefined && normalize(route) === callback) || normalize(pathOf(request)) === callback;
}

/** The gates (names) of the LogUp guards on a route, by `isLogupGuard` (a class or an instance's class). */
export function gatesGuarding(
  reflector: Reflector,
  targets: RouteTargets,
  isLogupGuard: (type: Type) => boolean,
): string[] {
  const guards = reflector.getAllAndMerge<unknown[]>(GUARDS_METADATA, targets) ?? [];
  const names: string[] = [];
  for (const guard of guards) {
    const type: unknown = typeof guard === 'function' ? guard : (guard as object | null)?.constructor;
    if (typeof type !== 'function' || !isLogupGuard(type as Type)) continue;
    names.push(((type as unknown as Record<symbol, unknown>)[GUARD_GATE] as string | undefined) ?? 'default');
  }
  return names;
}
