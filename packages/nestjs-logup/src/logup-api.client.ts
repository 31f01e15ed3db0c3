import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { isAxiosError, type AxiosResponse, type Method } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { LOGUP_CONFIG } from './logup.constants.js';
import {
  LogupApiError,
  LogupCredentialsError,
  LogupUnavailableError,
  type LogupUnavailableReason,
} from './logup.errors.js';
import type { LogupConfig } from './logup-module-options.interface.js';

/** One API call as the library sees it. */
export interface LogupRequest {
  method: Method;
  /** Path under `${baseUrl}/${apiVersion}`, starting with `/`. */
  path: string;
  body?: unknown;
  /** Names the call in errors, e.g. `verification`, `getDb`. */
  operation: string;
  /**
   * Safe to repeat after it may have reached LogUp (GET, PUT, DELETE). When false
   * (POST /verification, whose token is single-use), only failures that prove the
   * request was not processed (connection refused, 401, 429) are retried.
   */
  idempotent: boolean;
}

/** A parsed answer: status and JSON body (undefined when empty). */
export interface LogupResponse {
  status: number;
  body: unknown;
}

interface AccessToken {
  value: string;
  renewAt: number;
}

type Attempt =
  | { kind: 'response'; response: LogupResponse; retryAfterSeconds?: number }
  | { kind: 'failure'; reason: LogupUnavailableReason; detail: string; notSent: boolean };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** LogUp's reason from an error body: `errorMessage`, `error` or `message`. */
export function reasonOf(body: unknown, status: number): string {
  if (typeof body === 'object' && body !== null) {
    for (const field of ['errorMessage', 'error', 'message'] as const) {
      const value = (body as Record<string, unknown>)[field];
      if (typeof value === 'string' && value !== '') return value.slice(0, 200);
    }
  }
  return `HTTP_${status}`;
}

function retryAfterOf(header: unknown): number | undefined {
  if (typeof header !== 'string') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/**
 * The LogUp REST client behind `LogupService`: access token (cached, renewed
 * before expiry, single flight, renewed once on 401), per-attempt timeouts,
 * bounded retries with backoff, keep-alive connection reuse. Internal.
 */
@Injectable()
export class LogupApiClient implements OnModuleDestroy {
  private readonly logger = new Logger('LogupModule');
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private token?: AccessToken;
  private tokenRequest?: Promise<AccessToken>;

  constructor(
    private readonly http: HttpService,
    @Inject(LOGUP_CONFIG) private readonly config: LogupConfig,
  ) {
    // `timeout` closes idle pooled sockets (or sooner, at the server's Keep-Alive hint).
    const agentOptions = {
      keepAlive: true,
      maxSockets: config.maxSockets,
      maxFreeSockets: config.maxSockets,
      timeout: 15_000,
    };
    this.httpAgent = new HttpAgent(agentOptions);
    this.httpsAgent = new HttpsAgent(agentOptions);
  }

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Sends an authenticated API call, with the retry policy above. */
  async request(request: LogupRequest): Promise<LogupResponse> {
    const deadline = Date.now() + this.config.retry.budgetMs;
    let renewedAfter401 = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(deadline);
      const result = await this.send(request.method, request.path, request.body, deadline, token.value);
      if (result.kind === 'response' && result.response.status === 401 && !renewedAfter401) {
        // The token expired or was revoked early: renew once and repeat once (LogUp refused
        // the call before processing it, so this is safe even for a verification).
        renewedAfter401 = true;
        if (this.token === token) this.token = undefined;
        attempt--;
        continue;
      }
      const done = await this.settle(request, result, attempt, deadline);
      if (done) return done;
    }
  }

  /**
   * Returns the response when the call is finished, waits and returns undefined
   * when it should be tried again, or throws.
   */
  private async settle(
    request: Pick<LogupRequest, 'operation' | 'idempotent'>,
    result: Attempt,
    attempt: number,
    deadline: number,
  ): Promise<LogupResponse | undefined> {
    const { retry } = this.config;
    let retryable: boolean;
    let failure: LogupUnavailableError;
    if (result.kind === 'response') {
      const { status, body } = result.response;
      if (status !== 429 && status < 500) return result.response;
      retryable = status === 429 || request.idempotent;
      failure = new LogupUnavailableError(
        request.operation,
        'status',
        `HTTP ${status} (${reasonOf(body, status)})`,
        status,
        result.retryAfterSeconds,
      );
    } else {
      retryable = request.idempotent || result.notSent;
      failure = new LogupUnavailableError(request.operation, result.reason, result.detail);
    }
    if (!retryable || attempt >= retry.retries) throw failure;
    const backoff = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2);
    const wait = failure.retryAfterSeconds !== undefined ? failure.retryAfterSeconds * 1000 : backoff;
    if (wait > retry.maxDelayMs || Date.now() + wait >= deadline) throw failure;
    this.logger.debug(`${request.operation}: ${failure.message}; retrying in ${Math.round(wait)} ms`);
    await sleep(wait);
    return undefined;
  }

  /** Fetches a fresh access token now (health checks): proves LogUp answers and accepts the credentials. */
  async renewAccessToken(): Promise<void> {
    this.token = undefined;
    await this.accessToken(Date.now() + this.config.retry.budgetMs);
  }

  /** A valid access token: cached, or fetched once for all concurrent callers. */
  private accessToken(deadline: number): Promise<AccessToken> {
    if (this.token && Date.now() < this.token.renewAt) return Promise.resolve(this.token);
    this.tokenRequest ??= this.fetchToken(deadline).finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async fetchToken(deadline: number): Promise<AccessToken> {
    const body = { client_id: this.config.idGate, client_secret: this.config.secret, grant_type: 'client_credentials' };
    for (let attempt = 0; ; attempt++) {
      const obtainedAt = Date.now();
      const result = await this.send('POST', '/oauth/token', body, deadline);
      const response = await this.settle({ operation: 'access token', idempotent: true }, result, attempt, deadline);
      if (!response) continue;
      if (response.status === 400 || response.status === 401 || response.status === 403) {
        throw new LogupCredentialsError(this.config.idGate, response.status, reasonOf(response.body, response.status));
      }
      if (response.status !== 200 && response.status !== 201) {
        throw new LogupApiError('access token', response.status, reasonOf(response.body, response.status));
      }
      const { access_token: value, expires_in: expiresIn } = (response.body ?? {}) as Record<string, unknown>;
      if (typeof value !== 'string' || value === '') {
        throw new LogupUnavailableError('access token', 'malformed_response', 'the answer has no access_token');
      }
      const lifetimeMs = (typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 3600) * 1000;
      // Renew shortly before expiry: 10 % of the lifetime, at most one minute.
      this.token = { value, renewAt: obtainedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
      return this.token;
    }
  }

  /** One HTTP attempt; never throws for transport problems (they become a failure). */
  private async send(
    method: Method,
    path: string,
    body: unknown,
    deadline: number,
    accessToken?: string,
  ): Promise<Attempt> {
    const timeout = Math.max(1, Math.min(this.config.timeoutMs, deadline - Date.now()));
    let response: AxiosResponse<string>;
    try {
      // axiosRef rather than lastValueFrom(http.request()), and axios's own timeout rather
      // than an extra AbortSignal: the Observable wrapper's per-call CancelToken and a
      // per-call AbortSignal together nearly halved throughput (README, Benchmark).
      // Same HttpService, same private axios instance.
      response = await this.http.axiosRef.request<string>({
        method,
        url: `${this.config.apiUrl}${path}`,
        data: body === undefined ? undefined : JSON.stringify(body),
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
        },
        // Fires when LogUp sends nothing for this long (connect included).
        timeout,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        maxRedirects: 0,
        maxContentLength: 1024 * 1024,
        responseType: 'text',
        transformResponse: (data: string) => data,
        validateStatus: () => true,
      });
    } catch (error) {
      if (!isAxiosError(error)) throw error;
      // Never pass the AxiosError on: its config carries the bearer token and the secret.
      const code = error.code ?? 'UNKNOWN';
      if (code === 'ERR_CANCELED' || code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
        return { kind: 'failure', reason: 'timeout', detail: `no answer within ${timeout} ms`, notSent: false };
      }
      const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
      return { kind: 'failure', reason: 'network', detail: `network error ${code}`, notSent };
    }
    let parsed: unknown;
    if (response.data !== undefined && response.data !== '') {
      try {
        parsed = JSON.parse(response.data);
      } catch {
        if (response.status < 300) {
          return {
            kind: 'failure',
            reason: 'malformed_response',
            detail: 'the answer is not valid JSON',
            notSent: false,
          };
        }
      }
    }
    return {
      kind: 'response',
      response: { status: response.status, body: parsed },
      retryAfterSeconds: retryAfterOf(response.headers['retry-after']),
    };
  }
}
