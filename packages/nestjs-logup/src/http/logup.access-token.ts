import { errorForStatus, LogupApiError, malformedAnswer } from '../errors/logup.api-errors.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import { reasonOf } from '../errors/logup.redact.js';
import { LogupAttemptLoop, traced, type LogupAttemptDeps } from './logup.attempt-loop.js';
import { isTransient } from './logup.retry.js';
import type { LogupResponse } from './logup.transport.js';

/** A fetched access token and when to renew it. */
interface LogupAccessToken {
  readonly value: string;
  /** Epoch ms after which the token is renewed before use. */
  readonly renewAt: number;
}

/** Fetches a new access token; `deadline` is the epoch ms the whole call must end by. */
type LogupTokenFetcher = (deadline: number) => Promise<{ value: string; expiresInSeconds: number }>;

/** Default lifetime when LogUp's answer has no `expires_in`. */
const DEFAULT_LIFETIME_SECONDS = 3600;
/** Longest access token accepted, in characters. */
const MAX_ACCESS_TOKEN_LENGTH = 4096;
/** Longest `expires_in` accepted: a year, in seconds. */
export const MAX_EXPIRES_IN_SECONDS = 366 * 86_400;
/** RFC 6750 `b64token`: all that may follow `Bearer ` in an `Authorization` header. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Reads LogUp's answer to `POST /oauth/token`, checking every field before use:
 * `access_token` must be a bearer token (RFC 6750 characters, at most
 * {@link MAX_ACCESS_TOKEN_LENGTH}), so it can never break the header it goes into;
 * `expires_in`, when present, a number of seconds from 1 to {@link MAX_EXPIRES_IN_SECONDS}
 * (absent: an hour). Returns why it cannot be used otherwise, never echoing a value.
 */
export function parseAccessTokenAnswer(
  body: unknown,
): { value: string; expiresInSeconds: number } | { problem: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problem: 'it is not a JSON object' };
  const { access_token: value, expires_in: expiresIn } = body as Record<string, unknown>;
  if (typeof value !== 'string' || value === '') return { problem: 'it has no access_token' };
  if (value.length > MAX_ACCESS_TOKEN_LENGTH) {
    return { problem: `its access_token is ${value.length} characters long; at most ${MAX_ACCESS_TOKEN_LENGTH}` };
  }
  if (!BEARER_TOKEN.test(value)) return { problem: 'its access_token has characters a bearer token cannot have' };
  if (expiresIn === undefined || expiresIn === null) return { value, expiresInSeconds: DEFAULT_LIFETIME_SECONDS };
  const seconds = typeof expiresIn === 'string' && /^\d{1,12}$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  if (typeof seconds !== 'number' || !(seconds >= 1 && seconds <= MAX_EXPIRES_IN_SECONDS)) {
    return { problem: `its expires_in is not a number of seconds from 1 to ${MAX_EXPIRES_IN_SECONDS}` };
  }
  return { value, expiresInSeconds: seconds };
}

/**
 * The access-token cache: one token shared by every call, renewed shortly before it
 * expires (10 % of its lifetime, at most a minute), fetched in a single flight for
 * all concurrent callers, and dropped when LogUp answers 401 for it. The token is
 * held in a private field: inspecting or serializing the cache shows nothing.
 */
export class LogupAccessTokenCache {
  #token?: LogupAccessToken;
  #inFlight?: Promise<LogupAccessToken>;
  #grants = 0;
  readonly #fetch: LogupTokenFetcher;

  constructor(fetch: LogupTokenFetcher) {
    this.#fetch = fetch;
  }

  /** Token grants obtained so far (for metrics and tests). */
  get grants(): number {
    return this.#grants;
  }

  /** Whether a token is cached and not yet due for renewal. */
  get isFresh(): boolean {
    return this.#token !== undefined && Date.now() < this.#token.renewAt;
  }

  /** A valid token: the cached one, or one fetch shared by every concurrent caller. */
  get(deadline: number): Promise<LogupAccessToken> {
    const token = this.#token;
    if (token && Date.now() < token.renewAt) return Promise.resolve(token);
    this.#inFlight ??= this.#renew(deadline).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /**
   * Fetches a new token now, outside the single flight (a health probe with its own
   * short deadline neither waits for nor shortens an ordinary renewal), and caches it.
   */
  async refresh(deadline: number): Promise<LogupAccessToken> {
    return this.#renew(deadline);
  }

  /** Forgets `token` if it is still the cached one (LogUp refused it with 401). */
  invalidate(token?: LogupAccessToken): void {
    if (token === undefined || this.#token === token) this.#token = undefined;
  }

  async #renew(deadline: number): Promise<LogupAccessToken> {
    const obtainedAt = Date.now();
    const { value, expiresInSeconds } = await this.#fetch(deadline);
    const lifetimeMs = (expiresInSeconds > 0 ? expiresInSeconds : DEFAULT_LIFETIME_SECONDS) * 1000;
    const token = Object.freeze({ value, renewAt: obtainedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 10) });
    this.#grants++;
    this.#token = token;
    return token;
  }

  /** Nothing secret in a log line or a JSON dump. */
  toJSON(): Record<string, unknown> {
    return { cached: this.#token !== undefined, grants: this.#grants };
  }
}

/**
 * The fetch behind the cache: `POST /oauth/token` with the gate's client credentials
 * (OAuth2 client credentials grant, LOGUP-API "Authentication"), in its own telemetry
 * span (`logup.token`), retried like any idempotent call until `deadline`. A 404 says
 * the URL is wrong (no token endpoint there), other refusals come from
 * `errorForStatus` (401/403: `LogupCredentialsError`); an answer that breaks the
 * contract is `MALFORMED_ANSWER`. The secret is cut out of every error.
 */
export function accessTokenFetcher(deps: LogupAttemptDeps): LogupTokenFetcher {
  const request = { operation: 'access token', idempotent: true } as const;
  return (deadline) =>
    traced(deps.telemetry, request.operation, async (trace) => {
      const { idGate, secret } = deps.config;
      const call = {
        method: 'POST',
        path: '/oauth/token',
        body: { client_id: idGate, client_secret: secret, grant_type: 'client_credentials' },
      } as const;
      const loop = new LogupAttemptLoop(deps, request, deadline, trace);
      for (;;) {
        const outcome = await loop.send(call);
        if (isTransient(outcome)) await loop.waitOrThrow(outcome, [secret]);
        else return readTokenAnswer(deps, outcome as LogupResponse);
      }
    });
}

/** The token of a settled answer to `POST /oauth/token`, or the error it means. */
function readTokenAnswer(deps: LogupAttemptDeps, answer: LogupResponse): { value: string; expiresInSeconds: number } {
  const { status, body } = answer;
  const operation = 'access token';
  if (status < 200 || status > 299) {
    const errorMessage = reasonOf(body, status, [deps.config.secret]);
    if (status === 404) {
      // No token endpoint there: the URL is wrong, not the credentials.
      const message = LOGUP_MESSAGES.tokenNotFound(errorMessage, `${deps.config.apiUrl}/oauth/token`);
      throw new LogupApiError({ operation, status, errorMessage }, 'LOGUP_API', message);
    }
    throw errorForStatus({ operation, status, errorMessage, idGate: deps.config.idGate });
  }
  const parsed = parseAccessTokenAnswer(body);
  if ('problem' in parsed) throw malformedAnswer(operation, status, parsed.problem);
  return parsed;
}
