import { faultProblem } from './emulator.faults.js';
import { HttpError, readJson, requireJson, sendJson, sendNoContent, type EmulatorExchange } from './emulator.http.js';
import type { EmulatorState } from './emulator.state.js';
import type { FaultSpec } from './emulator.types.js';

const invalid = (message: string) => new HttpError(400, { errorMessage: 'INVALID_REQUEST', message });

/**
 * The test-control API under `/__emulator/`, for tests on loopback only. POSTs
 * must be `Content-Type: application/json` (415 otherwise) and no answer carries
 * CORS headers, so a web page the tester visits can neither mint logins nor
 * inject faults: a cross-origin page can only send "simple" requests, and those
 * are never JSON.
 */
export async function handleControl(
  state: EmulatorState,
  { req, res, method, target }: EmulatorExchange,
): Promise<void> {
  const route = target.segments.slice(1);
  if (method === 'OPTIONS') {
    throw new HttpError(405, {
      errorMessage: 'METHOD_NOT_ALLOWED',
      message: 'the control API answers no CORS preflight',
    });
  }
  if (method === 'POST') requireJson(req);
  switch (`${method} ${route.join('/')}`) {
    case 'POST login':
      return sendJson(res, 201, login(state, await readJson(req)));
    case 'POST logins':
      return sendJson(res, 201, logins(state, await readJson(req)));
    case 'GET stats':
      return sendJson(res, 200, state.snapshotStats());
    case 'DELETE stats':
      state.resetStats();
      return sendNoContent(res);
    case 'POST faults':
      return sendJson(res, 201, { added: addFaults(state, await readJson(req)) });
    case 'POST faults/release':
      return sendJson(res, 200, { released: state.held.release() });
    case 'DELETE faults':
      state.clearFaults();
      return sendNoContent(res);
    case 'POST revoke-tokens': {
      const idGate = ((await readJson(req)) as { idGate?: unknown } | undefined)?.idGate;
      return sendJson(res, 200, { revoked: state.revokeAccessTokens(typeof idGate === 'string' ? idGate : undefined) });
    }
  }
  if (method === 'GET' && route.length === 2 && route[0] === 'db') {
    const db = state.peekDb(route[1]);
    if (!db) throw new HttpError(404, { errorMessage: 'SUBSCRIPTION_NOT_FOUND', message: 'no such subscription' });
    return sendJson(res, 200, db);
  }
  throw new HttpError(404, { errorMessage: 'NOT_FOUND', message: `no control endpoint ${method} ${target.path}` });
}

/** `POST /__emulator/login { idGate, email, isNewUser?, db? }`. */
function login(state: EmulatorState, body: unknown) {
  const { idGate, email, isNewUser, db } = (body ?? {}) as Record<string, unknown>;
  if (typeof idGate !== 'string' || typeof email !== 'string') throw invalid('idGate and email are required strings');
  if (isNewUser !== undefined && typeof isNewUser !== 'boolean') throw invalid('isNewUser must be a boolean');
  const result = state.login({ idGate, email, isNewUser, db });
  if ('errorMessage' in result) throw new HttpError(400, { ...result });
  return result;
}

/** `POST /__emulator/logins { idGate, email, count }`: many single-use tokens, for load tests. */
function logins(state: EmulatorState, body: unknown) {
  const { idGate, email, count } = (body ?? {}) as Record<string, unknown>;
  if (typeof idGate !== 'string' || typeof email !== 'string') throw invalid('idGate and email are required strings');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 10_000) {
    throw invalid('count must be an integer from 1 to 10000');
  }
  const result = state.loginMany(idGate, email, count);
  if (!Array.isArray(result)) throw new HttpError(400, { ...result });
  return {
    idSubscription: result[0].idSubscription,
    idActor: result[0].idActor,
    logupTokens: result.map((l) => l.logupToken),
  };
}

/** `POST /__emulator/faults` with one spec or a list: all added, or none. */
function addFaults(state: EmulatorState, body: unknown): number {
  const specs = (Array.isArray(body) ? body : [body]) as FaultSpec[];
  const problems = specs.map((spec) => faultProblem(spec)).filter((p) => p !== undefined);
  if (problems.length > 0) throw new HttpError(400, { errorMessage: 'INVALID_FAULT', message: problems[0] });
  for (const spec of specs) state.addFault(spec);
  return specs.length;
}
