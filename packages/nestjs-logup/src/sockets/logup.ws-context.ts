import type { IncomingMessage } from 'node:http';
import type { ExecutionContext } from '@nestjs/common';
import { LogupError } from '../errors/logup.errors.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import { attachLogin, attachUser, detachLogin } from '../login/logup.request.js';
import { readLogin, type LogupSessionValue } from '../session/logup.session.js';
import type { LogupSubscription } from '../logup.subscription.js';
import { loadSocketSession } from './logup.ws-session.js';

/** A socket.io `Socket` or a `ws` `WebSocket`, as a gateway receives it. */
export type LogupSocketClient = object;

const HANDSHAKE = Symbol.for('nestjs-logup.socket-handshake');
/** Close code of a `ws` socket whose login is missing or ended (4000-4999: the app's own). */
export const LOGUP_WS_CLOSE_CODE = 4401;

type Client = Record<PropertyKey, unknown> & {
  request?: IncomingMessage;
  readyState?: unknown;
  send?: (data: string) => void;
  close?: (code: number, reason: string) => void;
  emit?: (event: string, payload: unknown) => void;
  disconnect?: (close: boolean) => void;
  once?: (event: string, listener: () => void) => void;
};

const isNativeWebSocket = (client: Client) =>
  typeof client.readyState === 'number' && typeof client.send === 'function';

/** The handshake request of a socket: socket.io's `socket.request`, or the one bound by `authenticateSocket`. */
function handshakeOf(client: LogupSocketClient): IncomingMessage {
  const socket = client as Client;
  const bound = socket[HANDSHAKE] as IncomingMessage | undefined;
  if (bound) return bound;
  if (!isNativeWebSocket(socket) && typeof socket.request?.headers === 'object') return socket.request;
  throw new LogupError('LOGUP_UNSUPPORTED_CONTEXT', LOGUP_MESSAGES.socketNoHandshake);
}

/** The request of a context for the decorators: HTTP/GraphQL elsewhere, the socket's handshake in `ws`. */
export function socketRequestOf(context: ExecutionContext): Record<string, unknown> {
  return handshakeOf(context.switchToWs().getClient()) as unknown as Record<string, unknown>;
}

let wsExceptionClass: Promise<new (error: object) => Error> | undefined;

/**
 * A `WsException` (from the app's `@nestjs/websockets`) carrying `{ status: 'error',
 * message }`: an object, so Nest's filter sends it as is, never echoing the message
 * data (which may carry a token) back.
 */
async function wsException(message: string): Promise<Error> {
  wsExceptionClass ??= import('@nestjs/websockets').then((m) => m.WsException as new (error: object) => Error);
  return new (await wsExceptionClass)({ status: 'error', message });
}

/**
 * Ends a socket: sends `exception` `{ status: 'error', message }` (socket.io: an
 * `exception` event; `ws`: `{"event":"exception","data":...}`) and closes it
 * (socket.io: server disconnect; `ws`: close code 4401).
 */
function endSocket(client: LogupSocketClient, message?: string): void {
  const socket = client as Client;
  const payload = { status: 'error', message };
  if (isNativeWebSocket(socket)) {
    if (socket.readyState !== 1) return;
    if (message !== undefined) socket.send!(JSON.stringify({ event: 'exception', data: payload }));
    socket.close!(LOGUP_WS_CLOSE_CODE, 'LogUp login required');
  } else if (typeof socket.disconnect === 'function') {
    if (message !== undefined) socket.emit?.('exception', payload);
    socket.disconnect(true);
  }
}

/** Whether the handshake URL or the message (a top-level key) carries the token parameter. */
function tokenOnSocket(request: IncomingMessage, data: unknown, param: string): boolean {
  const url = new URL(request.url ?? '/', 'http://socket');
  if (url.searchParams.has(param)) return true;
  return typeof data === 'object' && data !== null && Object.hasOwn(data, param);
}

type LiveSockets = Map<string, Set<{ client: LogupSocketClient; sid: string }>>;
/** Live sockets per gate (its config: one per registration) and subscription, to end them at logout or sign-out everywhere. */
const liveByGate = new WeakMap<LogupConfig, LiveSockets>();

function liveOf(config: LogupConfig): LiveSockets {
  let live = liveByGate.get(config);
  if (!live) liveByGate.set(config, (live = new Map()));
  return live;
}

/** Remembers a socket of a login until it closes. */
function trackSocket(config: LogupConfig, value: LogupSessionValue, client: LogupSocketClient): void {
  const live = liveOf(config);
  const key = value.idSubscription;
  const entries = live.get(key) ?? new Set();
  for (const entry of entries) if (entry.client === client) return;
  const entry = { client, sid: value.sid };
  entries.add(entry);
  live.set(key, entries);
  const forget = () => {
    entries.delete(entry);
    if (entries.size === 0 && live.get(key) === entries) live.delete(key);
  };
  const socket = client as Client;
  socket.once?.(isNativeWebSocket(socket) ? 'close' : 'disconnect', forget);
}

/** Ends this process's sockets of a subscription (every login, or the one `sid`); resolves to how many. */
export function endSocketsOf(config: LogupConfig, idSubscription: string, sid?: string): number {
  const entries = liveOf(config).get(idSubscription);
  let ended = 0;
  for (const entry of [...(entries ?? [])]) {
    if (sid !== undefined && entry.sid !== sid) continue;
    endSocket(entry.client, LOGUP_MESSAGES.socketLoginEnded);
    ended++;
  }
  return ended;
}

/**
 * The login of a socket's handshake session for the gate, or undefined (none,
 * expired, logged out, signed out everywhere).
 */
async function socketLogin(request: IncomingMessage, config: LogupConfig): Promise<LogupSessionValue | undefined> {
  if (!(await loadSocketSession(request))) {
    throw new LogupError('LOGUP_CONFIGURATION', LOGUP_MESSAGES.socketNoLoader);
  }
  return readLogin(request, config);
}

/**
 * `LogupService.authenticateSocket`: binds the handshake to the socket, refuses (and
 * ends) a socket carrying a token or without a login, else attaches the login.
 */
export async function connectSocket(
  client: LogupSocketClient,
  request: IncomingMessage | undefined,
  config: LogupConfig,
  subscriptionFor: (value: LogupSessionValue) => LogupSubscription,
  optional = false,
): Promise<LogupSubscription | undefined> {
  const socket = client as Client;
  if (request && typeof request.headers === 'object') {
    Object.defineProperty(socket, HANDSHAKE, { value: request, configurable: true });
  }
  const handshake = handshakeOf(client);
  if (tokenOnSocket(handshake, undefined, config.tokenQueryParam)) {
    endSocket(client, LOGUP_MESSAGES.socketTokenRefused(config.tokenQueryParam));
    return undefined;
  }
  const value = await socketLogin(handshake, config);
  if (!value) {
    if (!optional) endSocket(client, LOGUP_MESSAGES.socketLoginRequired);
    return undefined;
  }
  const subscription = subscriptionFor(value);
  attachLogin(handshake, config.name, subscription);
  trackSocket(config, value, client);
  return subscription;
}

/** What the guard gives {@link guardSocket}. */
interface LogupSocketGuardDeps {
  config: LogupConfig;
  subscriptionFor: (value: LogupSessionValue) => LogupSubscription;
  /** `@LogupOptional()`: serve the message without a login. */
  optional: boolean;
  /** The login handler's `onRequest`, when the app has one. */
  onRequest?: (subscription: LogupSubscription, request: unknown) => unknown;
}

/**
 * `LogupGuard` on a gateway message (`ws` context): the handshake session's login,
 * checked again on every message (logout, sign-out everywhere and expiry apply at
 * once); a token on the socket and a missing login are a `WsException`, and a socket
 * whose login ended is closed after that answer.
 */
export async function guardSocket(context: ExecutionContext, deps: LogupSocketGuardDeps): Promise<boolean> {
  const { config } = deps;
  const ws = context.switchToWs();
  const client = ws.getClient<LogupSocketClient>();
  const handshake = handshakeOf(client);
  if (tokenOnSocket(handshake, ws.getData(), config.tokenQueryParam)) {
    throw await wsException(LOGUP_MESSAGES.socketTokenRefused(config.tokenQueryParam));
  }
  const value = await socketLogin(handshake, config);
  if (!value) {
    const ended = detachLogin(handshake, config.name);
    if (deps.optional) return true;
    // The answer goes out first (Nest's filter, in this turn), then the socket closes.
    if (ended) setImmediate(() => endSocket(client));
    throw await wsException(ended ? LOGUP_MESSAGES.socketLoginEnded : LOGUP_MESSAGES.socketLoginRequired);
  }
  const subscription = deps.subscriptionFor(value);
  attachLogin(handshake, config.name, subscription);
  trackSocket(config, value, client);
  if (deps.onRequest) attachUser(handshake, config.name, await deps.onRequest(subscription, handshake));
  return true;
}
