import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { LogupError } from '../errors/logup.errors.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import { randomId } from '../session/logup.session-store.js';

/** An Express/Connect middleware that sets `request.session` (express-session, cookie-session). */
export type LogupSocketSessionMiddleware = (request: never, response: never, next: (error?: unknown) => void) => void;

/** Options of {@link useLogupSockets}. */
export interface LogupSocketsOptions {
  /**
   * Express: the session middleware the app passes to `app.use()` (the same
   * instance), run on each WebSocket handshake. Required on Express; on Fastify the
   * app's own hooks (@fastify/secure-session, @fastify/session) load the session.
   */
  sessionMiddleware?: LogupSocketSessionMiddleware;
}

/** The app's parts `useLogupSockets` uses (a Nest application on Express or Fastify). */
export interface LogupSocketsApp {
  getHttpServer(): unknown;
  getHttpAdapter(): { getType(): string; getInstance(): unknown };
}

type SessionLoader = (request: IncomingMessage) => Promise<unknown>;

/** Session loaders per HTTP server (several apps can live in one process). */
const loaders = new WeakMap<object, SessionLoader>();
const loaded = new WeakMap<object, Promise<void>>();

/**
 * Lets `LogupGuard` recognise, on the app's WebSocket gateways (socket.io and `ws`
 * adapters), the visitor logged in over HTTP: the handshake's session cookie is read
 * through the app's session middleware (Express: pass it as `sessionMiddleware`;
 * Fastify: the app's session plugin, through an in-process request). Call it after
 * the session middleware is set up and before `app.listen()`.
 * @throws LogupError `LOGUP_CONFIGURATION` on Express without `sessionMiddleware`.
 * @example
 * const sessionMiddleware = session({ secret, resave: false, saveUninitialized: false });
 * app.use(sessionMiddleware);
 * useLogupSockets(app, { sessionMiddleware });
 */
export function useLogupSockets(app: LogupSocketsApp, options: LogupSocketsOptions = {}): void {
  const server = app.getHttpServer() as object;
  const adapter = app.getHttpAdapter();
  if (adapter.getType() === 'fastify') {
    loaders.set(server, fastifyLoader(adapter.getInstance() as FastifyLike));
    return;
  }
  const middleware = options.sessionMiddleware;
  if (typeof middleware !== 'function') {
    throw new LogupError('LOGUP_CONFIGURATION', LOGUP_MESSAGES.socketSessionMiddleware);
  }
  loaders.set(server, (request) => runMiddleware(middleware, request));
}

function runMiddleware(middleware: LogupSocketSessionMiddleware, request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // A response nobody sends: the handshake only reads the session.
    const run = middleware as (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
    run(request, new ServerResponse(request), (error?: unknown) => {
      if (error === undefined || error === null) resolve(undefined);
      else reject(error instanceof Error ? error : new Error('The session middleware failed on a WebSocket handshake'));
    });
  });
}

interface FastifyLike {
  get(path: string, handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => unknown): unknown;
  /** Fastify's own handler of a raw request (what its HTTP server calls). */
  routing(request: IncomingMessage, response: ServerResponse): void;
}
interface FastifyRequestLike {
  raw: IncomingMessage;
  session?: unknown;
}
interface FastifyReplyLike {
  code(status: number): { send(): unknown };
}

/**
 * On Fastify the session is loaded by the app's own hooks: an in-process request
 * (handed to Fastify's router, never on the network) to a route of a random path,
 * carrying the handshake's cookie, whose handler hands `request.session` over. A hook
 * that answers first (no session then) ends the wait too.
 */
function fastifyLoader(fastify: FastifyLike): SessionLoader {
  const path = `/.logup-socket-session/${randomId()}`;
  const waiting = new WeakMap<IncomingMessage, (session: unknown) => void>();
  fastify.get(path, (request, reply) => {
    waiting.get(request.raw)?.(request.session);
    return reply.code(204).send();
  });
  return (handshake) =>
    new Promise((resolve) => {
      const request = new IncomingMessage(new Socket());
      request.method = 'GET';
      request.url = path;
      for (const name of ['cookie', 'host', 'user-agent'] as const) {
        const value = handshake.headers[name];
        if (typeof value === 'string') request.headers[name] = value;
      }
      request.push(null);
      const done = (session: unknown) => {
        (handshake as { session?: unknown }).session = session;
        resolve(undefined);
      };
      waiting.set(request, done);
      const response = new ServerResponse(request);
      const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
      response.end = ((...args: unknown[]) => {
        done((handshake as { session?: unknown }).session);
        return end(...args);
      }) as ServerResponse['end'];
      fastify.routing(request, response);
    });
}

/**
 * Makes sure the handshake request carries its session: one already there (e.g.
 * socket.io's `io.engine.use(sessionMiddleware)`), or one loaded once per handshake
 * by the loader {@link useLogupSockets} registered. Resolves to whether a loader ran
 * or a session was there.
 */
export async function loadSocketSession(request: IncomingMessage): Promise<boolean> {
  const carrier = request as IncomingMessage & { session?: unknown };
  if (carrier.session !== undefined && !loaded.has(request)) return true;
  let loading = loaded.get(request);
  if (!loading) {
    const server = (request.socket as { server?: object } | undefined)?.server;
    const loader = server ? loaders.get(server) : undefined;
    if (!loader) return false;
    loading = loader(request).then(
      () => undefined,
      (error: unknown) => {
        loaded.delete(request); // the next message tries again (a store that was down)
        throw error;
      },
    );
    loaded.set(request, loading);
  }
  await loading;
  return true;
}
