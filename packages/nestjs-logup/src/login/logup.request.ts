import type { ExecutionContext } from '@nestjs/common';
import { LogupError } from '../errors/logup.errors.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import { LogupSubscription } from '../logup.subscription.js';

/**
 * The one owner of what the library reads from and writes to a request: the
 * request/response pair of a context, the path and route, response headers, and each
 * gate's login (the subscription and the login handler's user). The guard, the
 * Passport strategy, the decorators and the testing kit call these instead of
 * touching request properties themselves.
 */
/** The request and response of a context: HTTP, or GraphQL (`{ req, res }` context, Apollo's default). */
export function httpPairOf(context: ExecutionContext): { request: Record<string, unknown>; response: unknown } {
  const type = context.getType<string>();
  if (type === 'http') {
    const http = context.switchToHttp();
    return { request: http.getRequest(), response: http.getResponse() };
  }
  if (type === 'graphql') {
    const gql = context.getArgByIndex<{ req?: Record<string, unknown>; res?: unknown } | undefined>(2);
    if (gql?.req) return { request: gql.req, response: gql.res ?? gql.req.res };
  }
  throw new LogupError('LOGUP_UNSUPPORTED_CONTEXT', LOGUP_MESSAGES.unsupportedContext(type));
}

/** A request's path without its query (Express `originalUrl`, Fastify `url`). */
export function pathOf(request: Record<string, unknown>): string {
  const raw = request.originalUrl ?? request.url;
  const url = typeof raw === 'string' ? raw : '';
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}

/**
 * The path pattern of the route the framework's router matched (Express `route.path`,
 * Fastify `routeOptions.url`), or undefined when the request carries none (GraphQL,
 * other transports).
 */
export function routePathOf(request: Record<string, unknown>): string | undefined {
  const express = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof express === 'string') return express;
  const fastify = (request.routeOptions as { url?: unknown } | undefined)?.url;
  return typeof fastify === 'string' ? fastify : undefined;
}

type HeaderSetter = {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
};

/** Sets a response header on an Express, Fastify or plain Node response. */
export function setResponseHeader(response: unknown, name: string, value: string): void {
  const target = response as HeaderSetter | undefined;
  if (typeof target?.header === 'function') target.header(name, value);
  else if (typeof target?.setHeader === 'function') target.setHeader(name, value);
}

/**
 * What LogupGuard (or LogupStrategy, or LogupTestGuard) attached to a request, per
 * gate: one gate's login never satisfies another gate's guard, and
 * `@CurrentSubscription({ gate })` reads the named gate's. Kept under a registry
 * symbol, so two copies of the package (CommonJS and ESM) share it.
 */
const LOGINS = Symbol.for('nestjs-logup.request-logins');

/** One gate's login on a request. */
interface LogupRequestLogin {
  readonly gate: string;
  readonly subscription: LogupSubscription;
  /** What the app's `LogupLoginHandler` returned (`@LogupUser()`), when it ran. */
  user?: unknown;
}

type Carrier = Record<PropertyKey, unknown>;

function loginsOf(request: unknown, create: boolean): Map<string, LogupRequestLogin> | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const carrier = request as Carrier;
  let logins = carrier[LOGINS] as Map<string, LogupRequestLogin> | undefined;
  if (!(logins instanceof Map) && create) {
    logins = new Map();
    Object.defineProperty(carrier, LOGINS, { value: logins, enumerable: false, configurable: true });
  }
  return logins instanceof Map ? logins : undefined;
}

/** Attaches a gate's verified (or restored) subscription to the request. */
export function attachLogin(request: unknown, gate: string, subscription: LogupSubscription): LogupRequestLogin {
  const login: LogupRequestLogin = { gate, subscription };
  loginsOf(request, true)?.set(gate, login);
  return login;
}

/** Puts the login handler's user beside a gate's login (no-op when the gate has none). */
export function attachUser(request: unknown, gate: string, user: unknown): void {
  const login = loginsOf(request, false)?.get(gate);
  if (login) login.user = user;
}

/** Removes a gate's login from the request (a socket whose login ended); whether there was one. */
export function detachLogin(request: unknown, gate: string): boolean {
  return loginsOf(request, false)?.delete(gate) ?? false;
}

/** The gates this request is logged in to, in the order their guards ran. */
export function gatesOf(request: unknown): string[] {
  return [...(loginsOf(request, false)?.keys() ?? [])];
}

/**
 * A gate's login on the request. Without `gate`: the only login the request carries,
 * or undefined when it carries none or several (ambiguous: name the gate).
 */
export function loginOf(request: unknown, gate?: string): LogupRequestLogin | undefined {
  const logins = loginsOf(request, false);
  if (!logins) return undefined;
  if (gate !== undefined) return logins.get(gate);
  return logins.size === 1 ? [...logins.values()][0] : undefined;
}

/**
 * The subscription a LogUp guard attached to the request for `gate` (or the only
 * one, when no gate is named), or undefined. Recognises subscriptions of any copy
 * of the package.
 */
export function subscriptionOf(request: unknown, gate?: string): LogupSubscription | undefined {
  const subscription = loginOf(request, gate)?.subscription;
  return subscription instanceof LogupSubscription ? subscription : undefined;
}
