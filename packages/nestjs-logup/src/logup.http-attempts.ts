import { LOGUP_MESSAGES } from './logup.messages.js';
import type { HttpService } from '@nestjs/axios';
import { isAxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { logupHttpAdapter } from './logup.http-adapter.js';
import type { LogupConfig } from './logup-module-options.interface.js';
import { parseRetryAfter } from './logup.retry.js';

/** What one HTTP attempt came to. */
export type LogupHttpOutcome =
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

/**
 * One HTTP attempt to LogUp at a time: the request on the module's `HttpService`
 * (its axios instance, or straight to the lean `node:http` adapter when no
 * interceptor is registered), the keep-alive agents, the wall-clock deadline, the
 * answer parsed into an outcome. Never throws for transport problems. Internal.
 */
export class LogupHttpAttempts {
  readonly #http: HttpService;
  readonly #config: LogupConfig;
  readonly #httpAgent: HttpAgent;
  readonly #httpsAgent: HttpsAgent;
  readonly #adapter: typeof logupHttpAdapter | undefined;

  constructor(http: HttpService, config: LogupConfig) {
    this.#http = http;
    this.#config = config;
    // `timeout` closes idle pooled sockets (or sooner, at the server's Keep-Alive hint).
    const agentOptions = { keepAlive: true, maxSockets: config.maxSockets, maxFreeSockets: config.maxSockets };
    this.#httpAgent = new HttpAgent({ ...agentOptions, timeout: 15_000 });
    this.#httpsAgent = new HttpsAgent({ ...agentOptions, timeout: 15_000 });
    // An app that configured a proxy or its own adapter on the HttpService keeps axios's own.
    const defaults = http.axiosRef.defaults;
    this.#adapter = defaults.proxy || typeof defaults.adapter === 'function' ? undefined : logupHttpAdapter;
  }

  destroy(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  /** One HTTP attempt; never throws for transport problems (they become a failure). */
  async send(
    method: string,
    path: string,
    body: unknown,
    deadline: number,
    accessToken?: string,
  ): Promise<LogupHttpOutcome> {
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
      const detail = LOGUP_MESSAGES.networkError(code, new URL(this.#config.baseUrl).host);
      return { kind: 'failure', reason: 'network', detail, notSent: NOT_SENT_CODES.has(code) };
    }
    return this.#parse(response);
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
