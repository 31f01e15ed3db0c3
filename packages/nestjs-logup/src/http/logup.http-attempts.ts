import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import type { HttpService } from '@nestjs/axios';
import { isAxiosError, type AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { LOGUP_ATTEMPT_TRACE, logupHttpAdapter, type LogupAttemptTrace } from './logup.http-adapter.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import { parseRetryAfter } from './logup.retry.js';

/** What one HTTP attempt came to. */
export type LogupHttpOutcome =
  | { kind: 'response'; status: number; body: unknown; retryAfterSeconds?: number }
  | {
      kind: 'failure';
      reason: 'network' | 'timeout' | 'malformed_response';
      /** The request provably never reached LogUp (refused, unknown host, no socket before the deadline). */
      notSent: boolean;
      /**
       * A pooled keep-alive socket failed before any byte of an answer: LogUp (or a proxy
       * in between) had closed it while it was idle. Worth one more try on a fresh connection.
       */
      staleSocket?: boolean;
      detail: string;
    };

/**
 * Idle pooled sockets are closed after this many ms (or 1 s before the server's
 * `Keep-Alive: timeout=` hint, when that is sooner): below the 5 s of Node's default
 * `keepAliveTimeout` and the 60 s or more of common load balancers and proxies, so the
 * pool rarely holds a socket the server is about to close.
 */
const IDLE_SOCKET_TIMEOUT_MS = 4000;

/** Largest answer accepted from LogUp (a DB is at most 20 keys of 1 KB). */
const MAX_ANSWER_BYTES = 1024 * 1024;
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** How a socket the server had closed fails: a reset, a broken pipe, or an EOF ("socket hang up"). */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED']);
const identity = (data: unknown) => data;
const hasInterceptors = (axios: { interceptors: unknown }): boolean => {
  const managers = axios.interceptors as Record<'request' | 'response', { handlers?: unknown[] }>;
  return (managers.request.handlers?.some(Boolean) ?? true) || (managers.response.handlers?.some(Boolean) ?? true);
};

/** A pair of agents, for `http:` and `https:` base URLs. */
interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
}

/** Options of one attempt. */
interface LogupAttemptOptions {
  /** The access token to send as `Authorization: Bearer`. */
  accessToken?: string;
  /** Send on a new connection that is not pooled (the retry after a stale socket). */
  fresh?: boolean;
}

/**
 * One HTTP attempt to LogUp at a time: the request on the module's `HttpService`
 * (its axios instance, or straight to the lean `node:http` adapter when no
 * interceptor is registered), the keep-alive agents, the wall-clock deadline, the
 * answer parsed into an outcome. Never throws for transport problems. Internal.
 *
 * Two keep-alive pools of `maxSockets` each: one for logins (the access token and
 * verifications), one for DB calls, so DB traffic, however heavy, never keeps a
 * login waiting for a socket. A third agent without keep-alive serves the one retry
 * after a stale pooled socket.
 */
export class LogupHttpAttempts {
  readonly #http: HttpService;
  readonly #config: LogupConfig;
  readonly #logins: Agents;
  readonly #db: Agents;
  readonly #fresh: Agents;
  readonly #adapter: typeof logupHttpAdapter | undefined;

  constructor(http: HttpService, config: LogupConfig) {
    this.#http = http;
    this.#config = config;
    const pooled = () => {
      const options = {
        keepAlive: true,
        maxSockets: config.maxSockets,
        maxFreeSockets: config.maxSockets,
        timeout: IDLE_SOCKET_TIMEOUT_MS,
      };
      return { http: new HttpAgent(options), https: new HttpsAgent(options) };
    };
    this.#logins = pooled();
    this.#db = pooled();
    this.#fresh = { http: new HttpAgent({ keepAlive: false }), https: new HttpsAgent({ keepAlive: false }) };
    // An app that configured a proxy or its own adapter on the HttpService keeps axios's own.
    const defaults = http.axiosRef.defaults;
    this.#adapter = defaults.proxy || typeof defaults.adapter === 'function' ? undefined : logupHttpAdapter;
  }

  destroy(): void {
    for (const agents of [this.#logins, this.#db, this.#fresh]) {
      agents.http.destroy();
      agents.https.destroy();
    }
  }

  /**
   * One HTTP attempt, ending by `deadline` (epoch ms): at most `timeoutMs` from the
   * moment it has a socket, and no longer than the deadline waiting for one. Never
   * throws for transport problems (they become a failure).
   */
  async send(
    method: string,
    path: string,
    body: unknown,
    deadline: number,
    options: LogupAttemptOptions = {},
  ): Promise<LogupHttpOutcome> {
    const timeout = Math.max(1, Math.min(this.#config.timeoutMs, deadline - Date.now()));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
    const agents = options.fresh ? this.#fresh : path.startsWith('/subscription/') ? this.#db : this.#logins;
    const config = {
      method,
      url: `${this.#config.apiUrl}${path}`,
      data: body === undefined ? undefined : JSON.stringify(body),
      headers,
      // The adapter: timeoutMs per attempt from its socket on, the deadline overall.
      // axios's own adapter (proxy set-ups): a wall-clock timeout from now.
      timeout: this.#adapter ? this.#config.timeoutMs : timeout,
      logupDeadline: this.#adapter ? deadline : undefined,
      httpAgent: agents.http,
      httpsAgent: agents.https,
      adapter: this.#adapter,
      // axios's own adapter reads timeout as inactivity: bound it by the clock too.
      signal: this.#adapter ? undefined : AbortSignal.timeout(timeout),
      maxRedirects: 0,
      maxContentLength: MAX_ANSWER_BYTES,
      responseType: 'text' as const,
      transformRequest: identity,
      transformResponse: identity,
      validateStatus: () => true,
    };
    let response: AxiosResponse<string>;
    try {
      const axios = this.#http.axiosRef;
      // With no interceptor on the module's axios instance, axios's request pipeline
      // (config merging, header normalisation, interceptor chain) would only copy this
      // config: the adapter is called with it directly. Interceptors an app adds are
      // honoured from the next call on.
      response =
        this.#adapter && !hasInterceptors(axios)
          ? await this.#adapter(config as unknown as InternalAxiosRequestConfig, true)
          : await axios.request<string>(config);
    } catch (error) {
      if (!isAxiosError(error)) throw error;
      return this.#failure(error, timeout);
    }
    return this.#parse(response);
  }

  /** What a transport error means; never passes the AxiosError on (its config carries the secrets). */
  #failure(error: AxiosError, timeout: number): LogupHttpOutcome {
    const code = error.code ?? 'UNKNOWN';
    const trace = (error as { [LOGUP_ATTEMPT_TRACE]?: LogupAttemptTrace })[LOGUP_ATTEMPT_TRACE];
    if (trace?.queued && code === 'ETIMEDOUT') {
      const detail = `no connection to LogUp was free before the deadline (${this.#config.maxSockets} in use); nothing was sent`;
      return { kind: 'failure', reason: 'timeout', detail, notSent: true };
    }
    if (TIMEOUT_CODES.has(code)) {
      return { kind: 'failure', reason: 'timeout', detail: `no complete answer within ${timeout} ms`, notSent: false };
    }
    if (code === 'ERR_BAD_RESPONSE' || code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') {
      return { kind: 'failure', reason: 'malformed_response', detail: 'the answer is too large', notSent: false };
    }
    // axios's own adapter: the request it used tells whether the socket was pooled.
    const reused = trace ? trace.reusedSocket : (error.request as { reusedSocket?: boolean } | undefined)?.reusedSocket;
    const answered = trace ? trace.answered : error.response !== undefined;
    const staleSocket = reused === true && !answered && STALE_CODES.has(code);
    const where = LOGUP_MESSAGES.networkError(code, new URL(this.#config.baseUrl).host);
    const detail = `${where}${staleSocket ? ' (on a pooled connection LogUp had closed)' : ''}`;
    return { kind: 'failure', reason: 'network', detail, notSent: NOT_SENT_CODES.has(code), staleSocket };
  }

  #parse(response: AxiosResponse<string>): LogupHttpOutcome {
    const { status, data } = response;
    let parsed: unknown;
    if (typeof data === 'string' && data !== '') {
      try {
        parsed = JSON.parse(data);
      } catch {
        if (status >= 200 && status < 300) {
          return {
            kind: 'failure',
            reason: 'malformed_response',
            detail: 'the answer is not valid JSON',
            notSent: false,
          };
        }
      }
    }
    const retryAfterSeconds =
      status === 429 || status >= 500 ? parseRetryAfter(response.headers['retry-after']) : undefined;
    return { kind: 'response', status, body: parsed, retryAfterSeconds };
  }
}
