/** A fetched access token and when to renew it. */
export interface LogupAccessToken {
  readonly value: string;
  /** Epoch ms after which the token is renewed before use. */
  readonly renewAt: number;
}

/** Fetches a new access token; `deadline` is the epoch ms the whole call must end by. */
export type LogupTokenFetcher = (deadline: number) => Promise<{ value: string; expiresInSeconds: number }>;

/** Default lifetime when LogUp's answer has no usable `expires_in`. */
const DEFAULT_LIFETIME_SECONDS = 3600;

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
