import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyFault, type ApiEndpoint } from './emulator.faults.js';
import { allow, HttpError, readJson, sendJson, sendNoContent, type RequestTarget } from './emulator.http.js';
import type { EmulatorState } from './emulator.state.js';
import { deletedKeys } from './logup-db.js';

/** What the LogUp API routes need from the server. */
export interface ApiContext {
  state: EmulatorState;
  /** A delay the server cancels when it stops (latency faults). */
  sleep(ms: number): Promise<void>;
}

/**
 * The LogUp REST API (LOGUP-API.md) under `/{version}`: the token, verification
 * and subscription DB endpoints, the same in every version served.
 */
export async function handleApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
): Promise<void> {
  ctx.state.count('apiRequests');
  const [version, ...route] = target.segments;
  if (!ctx.state.config.versions.has(version)) {
    throw new HttpError(404, {
      errorMessage: 'UNKNOWN_API_VERSION',
      message: `no API version ${JSON.stringify(version)}; served: ${[...ctx.state.config.versions].join(', ')}`,
    });
  }
  const method = req.method ?? 'GET';
  const endpoint = endpointOf(method, route);
  if (!endpoint)
    throw new HttpError(404, { errorMessage: 'NOT_FOUND', message: `no endpoint ${method} ${target.path}` });
  const fault = ctx.state.takeFault(endpoint);
  if (fault && (await applyFault(fault, req, res, (ms) => ctx.sleep(ms), ctx.state.held))) return;
  if (endpoint === 'token') return token(ctx.state, res, await readJson(req));
  const idGate = authorize(ctx.state, req);
  if (endpoint === 'verification') return verification(ctx.state, res, idGate, await readJson(req));
  return subscriptionDb(ctx.state, req, res, endpoint, idGate, route[1], target.query);
}

/** `GET`, `PUT` and `DELETE /subscription/{idSubscription}/db`. */
async function subscriptionDb(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: ApiEndpoint,
  idGate: string,
  idSubscription: string,
  query: URLSearchParams,
): Promise<void> {
  if (endpoint === 'db-read') {
    const keys = query.get('keys');
    const db = state.readDb(idGate, idSubscription, keys ? keys.split(',') : undefined);
    if (!db) throw subscriptionNotFound();
    return sendJson(res, 200, db);
  }
  const body = await readJson(req);
  if (endpoint === 'db-update') {
    const result = state.updateDb(idGate, idSubscription, body);
    if (!result) throw subscriptionNotFound();
    if ('errorMessage' in result) throw new HttpError(400, { ...result });
    return sendJson(res, 200, result.db);
  }
  const keys = deletedKeys(body);
  if (!Array.isArray(keys)) throw new HttpError(400, { ...keys });
  if (!state.deleteDbKeys(idGate, idSubscription, keys)) throw subscriptionNotFound();
  sendNoContent(res);
}

/** The endpoint a method and route name (405 for a known route and another method). */
function endpointOf(method: string, route: string[]): ApiEndpoint | undefined {
  const path = route.length === 3 && route[0] === 'subscription' && route[2] === 'db' ? 'db' : route.join('/');
  switch (path) {
    case 'oauth/token':
      allow(method, ['POST']);
      return 'token';
    case 'verification':
      allow(method, ['POST']);
      return 'verification';
    case 'db':
      allow(method, ['GET', 'PUT', 'DELETE']);
      return method === 'GET' ? 'db-read' : method === 'PUT' ? 'db-update' : 'db-delete';
    default:
      return undefined;
  }
}

/** Unknown, or another gate's: both look the same to a gate. */
function subscriptionNotFound(): HttpError {
  return new HttpError(404, { errorMessage: 'SUBSCRIPTION_NOT_FOUND', message: 'no such subscription' });
}

function token(state: EmulatorState, res: ServerResponse, body: unknown): void {
  const { client_id, client_secret, grant_type } = (body ?? {}) as Record<string, unknown>;
  if (typeof client_id !== 'string' || typeof client_secret !== 'string') {
    throw new HttpError(400, { errorMessage: 'INVALID_REQUEST', message: 'client_id and client_secret are required' });
  }
  if (grant_type !== 'client_credentials') {
    throw new HttpError(400, {
      errorMessage: 'UNSUPPORTED_GRANT_TYPE',
      message: 'grant_type must be client_credentials',
    });
  }
  const accessToken = state.grant(client_id, client_secret);
  if (!accessToken) {
    throw new HttpError(401, { errorMessage: 'INVALID_CLIENT', message: 'unknown gate or wrong secret' });
  }
  sendJson(res, 201, {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: state.config.accessTokenTtlSeconds,
  });
}

function verification(state: EmulatorState, res: ServerResponse, idGate: string, body: unknown): void {
  const logupToken = (body as { logupToken?: unknown } | null)?.logupToken;
  if (typeof logupToken !== 'string') {
    throw new HttpError(400, { errorMessage: 'INVALID_REQUEST', message: 'body must be { "logupToken": "..." }' });
  }
  const status = state.config.verificationStatus;
  const subscription = state.verify(idGate, logupToken);
  if (!subscription) return sendJson(res, status, { verified: false, errorMessage: 'INVALID_LOGUP_TOKEN' });
  sendJson(res, status, {
    verified: true,
    idActor: subscription.idActor,
    idSubscription: subscription.idSubscription,
    db: state.peekDb(subscription.idSubscription),
  });
}

/** The gate of the request's bearer token; 401 without a valid one. */
function authorize(state: EmulatorState, req: IncomingMessage): string {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  const result = state.authenticate(match?.[1]);
  if ('errorMessage' in result) {
    throw new HttpError(401, { errorMessage: result.errorMessage, message: 'a valid access token is required' });
  }
  return result.idGate;
}
