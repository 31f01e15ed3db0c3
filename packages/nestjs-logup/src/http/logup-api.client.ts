import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LOGUP_CONFIG } from '../logup.constants.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import { accessTokenFetcher, LogupAccessTokenCache } from './logup.access-token.js';
import { LogupAttemptLoop, traced, type LogupAttemptDeps } from './logup.attempt-loop.js';
import { LogupHttpAttempts } from './logup.http-attempts.js';
import { isTransient } from './logup.retry.js';
import { LogupSharedReads } from './logup.shared-reads.js';
import { LogupTelemetry, type LogupCallTrace } from './logup.telemetry.js';
import { expectedAnswer, type LogupRequest, type LogupResponse, type LogupTransport } from './logup.transport.js';

/**
 * The LogUp REST client behind `LogupService`: authenticated calls with the access
 * token cache, the retry policy within a total budget (`LogupAttemptLoop`), per-attempt
 * wall-clock deadlines (one attempt: `LogupHttpAttempts`), identical DB reads in flight
 * shared (`LogupSharedReads`). A call whose pooled socket turns out closed before any
 * answer byte is repeated once on a fresh connection, whatever the call (LogUp never
 * saw it; a verification it did see comes back "not verified"). An answer whose status
 * the call does not expect is thrown as its `LogupError`. The gate secret and the
 * access token live in private fields. Internal.
 */
@Injectable()
export class LogupApiClient implements LogupTransport, OnModuleInit, OnModuleDestroy {
  readonly #config: LogupConfig;
  readonly #deps: LogupAttemptDeps;
  readonly #tokens: LogupAccessTokenCache;
  readonly #reads = new LogupSharedReads<LogupResponse>();

  constructor(http: HttpService, @Inject(LOGUP_CONFIG) config: LogupConfig) {
    this.#config = config;
    this.#deps = {
      config,
      attempts: new LogupHttpAttempts(http, config),
      telemetry: new LogupTelemetry(),
      logger: new Logger('LogupModule'),
    };
    this.#tokens = new LogupAccessTokenCache(accessTokenFetcher(this.#deps));
  }

  /** Binds telemetry to `@opentelemetry/api` when the app has it. */
  async onModuleInit(): Promise<void> {
    await this.#deps.telemetry.init();
  }

  onModuleDestroy(): void {
    this.#deps.attempts.destroy();
  }

  /** Access-token grants obtained so far. */
  get tokenGrants(): number {
    return this.#tokens.grants;
  }

  /**
   * Sends an authenticated API call, retried as `decideRetry` says, within
   * `retry.budgetMs`. A DB read joins the identical read in flight, if any.
   * @returns a 2xx answer, or one whose status is in `request.accept`.
   * @throws the `LogupError` of any other status, or of a call that got no answer.
   */
  async request(request: LogupRequest): Promise<LogupResponse> {
    const send = () => traced(this.#deps.telemetry, request.operation, (trace) => this.#settle(request, trace));
    let answer: Promise<LogupResponse>;
    if (!request.path.startsWith('/subscription/')) answer = send();
    else
      answer = request.method === 'GET' ? this.#reads.read(request.path, send) : this.#reads.write(request.path, send);
    return expectedAnswer(request, await answer, [this.#config.secret]);
  }

  /** Attempts until an answer that is not transient, renewing the access token once after a 401. */
  async #settle(request: LogupRequest, trace: LogupCallTrace): Promise<LogupResponse> {
    const loop = new LogupAttemptLoop(this.#deps, request, Date.now() + this.#config.retry.budgetMs, trace);
    let renewedAfter401 = false;
    for (;;) {
      const token = await this.#tokens.get(loop.deadline);
      const outcome = await loop.send(request, token.value);
      if (outcome.kind === 'response' && outcome.status === 401 && !renewedAfter401) {
        // The token expired or was revoked early: LogUp refused the call before processing
        // it, so renewing once and repeating is safe even for a verification.
        renewedAfter401 = true;
        this.#tokens.invalidate(token);
        continue;
      }
      if (!isTransient(outcome)) return outcome as LogupResponse;
      await loop.waitOrThrow(outcome, [this.#config.secret, ...(request.secrets ?? []), token.value]);
    }
  }

  /**
   * Fetches a new access token now (health checks), within one `timeoutMs`: proves
   * LogUp answers and accepts the credentials, and the token then serves every other
   * call. It neither waits for a renewal already in flight nor drops the cached token.
   */
  async renewAccessToken(): Promise<void> {
    await this.#tokens.refresh(Date.now() + Math.min(this.#config.timeoutMs, this.#config.retry.budgetMs));
  }

  /** Nothing secret in a log line or a JSON dump. */
  toJSON(): Record<string, unknown> {
    return { apiUrl: this.#config.apiUrl, accessToken: this.#tokens.toJSON() };
  }
}
