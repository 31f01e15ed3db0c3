import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { isAxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { LogupAccessTokenCache, type LogupAccessToken } from './logup.access-token.js';
import { LOGUP_CONFIG } from './logup.constants.js';
import { errorForStatus, LogupUnavailableError, malformedAnswer, type LogupError } from './logup.errors.js';
import { logupHttpAdapter } from './logup.http-adapter.js';
import type { LogupConfig } from './logup-module-options.interface.js';
import { reasonOf } from './logup.redact.js';
import { decideRetry, isTransient, parseRetryAfter } from './logup.retry.js';
import { LogupTelemetry } from './logup.telemetry.js';
import type { LogupRequest, LogupResponse, LogupTransport } from './logup.transport.js';

/** What one HTTP attempt came to. */
type Outcome =
  | { kind: 'response'; status: number; body: unknown; retryAfterSeconds?: number }
  | { kind: 'failure'; reason: 'network' | 'timeout' | 'malformed_response'; notSent: boolean; detail: string };

/** Largest answer accepted from LogUp (a DB is at most 20 keys of 1 KB). */
const MAX_ANSWER_BYTES = 1024 * 1024;
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED']);
const identity = (data: unknown) => data;
const hasInterceptors = (axios: { interceptors: unknown }): boolean => {
  const managers = axios.interceptors as Record<'request' | 'response', { handlers?: unknown[] }>;
  return (managers.request.handlers?.some(Boolean) ?? true) || (managers.response.handlers?.some(Boolean) ?? true);
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The LogUp REST client behind `LogupService`: authenticated calls with the access
 * token cache, the retry policy within a total budget, per-attempt wall-clock
 * deadlines, keep-alive connection reuse. It runs on the module's `HttpService`
 * (its axios instance and interceptors) with a lean `node:http` adapter. The gate
 * secret and the access token live in private fields. Internal.
 */
@Injectable()
export class LogupApiClient implements LogupTransport, OnModuleInit, OnModuleDestroy {
  readonly #logger = new Logger('LogupModule');
  readonly #http: HttpService;
  readonly #config: LogupConfig;
  readonly #httpAgent: HttpAgent;
  readonly #httpsAgent: HttpsAgent;
  readonly #tokens: LogupAccessTokenCache;
  readonly #adapter: typeof logupHttpAdapter | undefined;
  readonly #telemetry = new LogupTelemetry();

  constructor(http: HttpService, @Inject(LOGUP_CONFIG) config: LogupConfig) {
    this.#http = http;
    this.#config = config;
    // `timeout` closes idle pooled sockets (or sooner, at the server's Keep-Alive hint).
    const agentOptions = { keepAlive: true, maxSockets: config.maxSockets, maxFreeSockets: config.maxSockets };
    this.#httpAgent = new HttpAgent({ ...agentOptions, timeout: 15_000 });
    this.#httpsAgent = new HttpsAgent({ ...agentOptions, timeout: 15_000 });
    this.#tokens = new LogupAccessTokenCache((deadline) =>
      this.#traced('access token', (count) => this.#fetchToken(deadline, count)),
    );
    // An app that configured a proxy or its own adapter on the HttpService keeps axios's own.
    const defaults = http.axiosRef.defaults;
    this.#adapter = defaults.proxy || typeof defaults.adapter === 'function' ? undefined : logupHttpAdapter;
  }

  /** Binds telemetry to `@opentelemetry/api` when the app has it. */
  async onModuleInit(): Promise<void> {
    await this.#telemetry.init();
  }

  onModuleDestroy(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  /** Access-token grants obtained so far. */
  get tokenGrants(): number {
    return this.#tokens.grants;
  }

  /** Sends an authenticated API call, retried as `decideRetry` says, within `retry.budgetMs`. */
  request(request: LogupRequest): Promise<LogupResponse> {
    return this.#traced(request.operation, (count) => this.#request(request, count));
  }

  async #request(request: LogupRequest, count: (status?: number) => void): Promise<LogupResponse> {
    const deadline = Date.now() + this.#config.retry.budgetMs;
    let renewedAfter401 = false;
    let attempt = 0;
    for (;;) {
      const token = await this.#tokens.get(deadline);
      const outcome = await this.#send(request.method, request.path, request.body, deadline, token.value);
      count(outcome.kind === 'response' ? outcome.status : undefined);
      if (outcome.kind === 'response' && outcome.status === 401 && !renewedAfter401) {
        // The token expired or was revoked early: LogUp refused the call before processing
        // it, so renewing once and repeating is safe even for a verification.
        renewedAfter401 = true;
        this.#tokens.invalidate(token);
        continue;
      }
      if (!isTransient(outcome)) return outcome as LogupResponse;
      await this.#waitOrThrow(request, outcome, attempt++, deadline, token);
    }
  }

  /** Runs a call inside a telemetry span (a no-op without OpenTelemetry). */
  async #traced<T>(operation: string, call: (count: (status?: number) => void) => Promise<T>): Promise<T> {
    const trace = this.#telemetry.start(operation);
    let attempts = 0;
    let status: number | undefined;
    try {
      const result = await call((last) => {
        attempts++;
        status = last;
      });
      this.#telemetry.end(trace, { attempts, status });
      return result;
    } catch (error) {
      this.#telemetry.end(trace, { attempts, status, error: error as { code?: string } });
      throw error;
    }
  }

  /** Fetches a fresh access token now (health checks): proves LogUp answers and accepts the credentials. */
  async renewAccessToken(): Promise<void> {
    this.#tokens.invalidate();
    await this.#tokens.get(Date.now() + this.#config.retry.budgetMs);
  }

  /** The status -> error mapping for an answer the caller did not expect; secrets cut out. */
  errorFor(request: Pick<LogupRequest, 'operation' | 'secrets'>, response: LogupResponse): LogupError {
    return errorForStatus({
      operation: request.operation,
      status: response.status,
      errorMessage: reasonOf(response.body, response.status, this.#secrets(request.secrets)),
    });
  }

  async #waitOrThrow(
    request: Pick<LogupRequest, 'operation' | 'idempotent' | 'secrets'>,
    outcome: Outcome,
    attempt: number,
    deadline: number,
    token?: LogupAccessToken,
  ): Promise<void> {
    const wait = decideRetry(outcome, attempt, request, deadline, this.#config.retry);
    const failure =
      outcome.kind === 'failure'
        ? new LogupUnavailableError({ operation: request.operation, reason: outcome.reason, detail: outcome.detail })
        : errorForStatus({
            operation: request.operation,
            status: outcome.status,
            errorMessage: reasonOf(outcome.body, outcome.status, this.#secrets(request.secrets, token)),
            retryAfterSeconds: outcome.retryAfterSeconds,
          });
    if (wait === 'stop') throw failure;
    this.#telemetry.retry(request.operation);
    this.#logger.debug(`${request.operation}: ${failure.message}; retrying in ${Math.round(wait)} ms`);
    await sleep(wait);
  }

  async #fetchToken(
    deadline: number,
    count: (status?: number) => void,
  ): Promise<{ value: string; expiresInSeconds: number }> {
    const { idGate } = this.#config;
    const body = { client_id: idGate, client_secret: this.#config.secret, grant_type: 'client_credentials' };
    const request = { operation: 'access token', idempotent: true };
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#send('POST', '/oauth/token', body, deadline);
      count(outcome.kind === 'response' ? outcome.status : undefined);
      if (isTransient(outcome)) {
        await this.#waitOrThrow(request, outcome, attempt, deadline);
        continue;
      }
      const { status, body: answer } = outcome as LogupResponse;
      if (status < 200 || status > 299) {
        const errorMessage = reasonOf(answer, status, this.#secrets());
        throw errorForStatus({ operation: request.operation, status, errorMessage, idGate });
      }
      const { access_token: value, expires_in: expiresIn } = (answer ?? {}) as Record<string, unknown>;
      if (typeof value !== 'string' || value === '') throw malformedAnswer(request.operation, 'it has no access_token');
      return { value, expiresInSeconds: typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? expiresIn : 0 };
    }
  }

  #secrets(extra: readonly string[] = [], token?: LogupAccessToken): string[] {
    return [this.#config.secret, ...extra, ...(token ? [token.value] : [])];
  }

  /** One HTTP attempt; never throws for transport problems (they become a failure). */
  async #send(method: string, path: string, body: unknown, deadline: number, accessToken?: string): Promise<Outcome> {
    const timeout = Math.max(1, Math.min(this.#config.timeoutMs, deadline - Date.now()));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (accessToken) headers.authorization = `Bearer ${accessToken}`;
    const config = {
      method,
      url: `${this.#config.apiUrl}${path}`,
      data: body === undefined ? undefined : JSON.stringify(body),
      headers,
      // A wall-clock deadline for the whole attempt, capped at what is left of the budget.
      timeout,
      httpAgent: this.#httpAgent,
      httpsAgent: this.#httpsAgent,
      adapter: this.#adapter,
      // axios's own adapter (proxy set-ups) reads timeout as inactivity: bound it by the clock too.
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
      // Never pass the AxiosError on: its config carries the bearer token and the secret.
      const code = error.code ?? 'UNKNOWN';
      if (TIMEOUT_CODES.has(code)) {
        return {
          kind: 'failure',
          reason: 'timeout',
          detail: `no complete answer within ${timeout} ms`,
          notSent: false,
        };
      }
      if (code === 'ERR_BAD_RESPONSE' || code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') {
        return { kind: 'failure', reason: 'malformed_response', detail: 'the answer is too large', notSent: false };
      }
      return { kind: 'failure', reason: 'network', detail: `network error ${code}`, notSent: NOT_SENT_CODES.has(code) };
    }
    return this.#parse(response);
  }

  #parse(response: AxiosResponse<string>): Outcome {
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

  /** Nothing secret in a log line or a JSON dump. */
  toJSON(): Record<string, unknown> {
    return { apiUrl: this.#config.apiUrl, accessToken: this.#tokens.toJSON() };
  }
}
