import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LogupAccessTokenCache, type LogupAccessToken } from './logup.access-token.js';
import { LOGUP_CONFIG } from './logup.constants.js';
import {
  errorForStatus,
  LogupApiError,
  LogupUnavailableError,
  malformedAnswer,
  type LogupError,
} from './logup.errors.js';
import { LOGUP_MESSAGES } from './logup.messages.js';
import { LogupHttpAttempts, type LogupHttpOutcome } from './logup.http-attempts.js';
import type { LogupConfig } from './logup-module-options.interface.js';
import { reasonOf } from './logup.redact.js';
import { decideRetry, isTransient } from './logup.retry.js';
import { LogupTelemetry } from './logup.telemetry.js';
import type { LogupRequest, LogupResponse, LogupTransport } from './logup.transport.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The LogUp REST client behind `LogupService`: authenticated calls with the access
 * token cache, the retry policy within a total budget, per-attempt wall-clock
 * deadlines (one attempt: `LogupHttpAttempts`). The gate
 * secret and the access token live in private fields. Internal.
 */
@Injectable()
export class LogupApiClient implements LogupTransport, OnModuleInit, OnModuleDestroy {
  readonly #logger = new Logger('LogupModule');
  readonly #config: LogupConfig;
  readonly #attempts: LogupHttpAttempts;
  readonly #tokens: LogupAccessTokenCache;
  readonly #telemetry = new LogupTelemetry();

  constructor(http: HttpService, @Inject(LOGUP_CONFIG) config: LogupConfig) {
    this.#config = config;
    this.#attempts = new LogupHttpAttempts(http, config);
    this.#tokens = new LogupAccessTokenCache((deadline) =>
      this.#traced('access token', (count) => this.#fetchToken(deadline, count)),
    );
  }

  /** Binds telemetry to `@opentelemetry/api` when the app has it. */
  async onModuleInit(): Promise<void> {
    await this.#telemetry.init();
  }

  onModuleDestroy(): void {
    this.#attempts.destroy();
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
      const outcome = await this.#attempts.send(request.method, request.path, request.body, deadline, token.value);
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
    outcome: LogupHttpOutcome,
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
      const outcome = await this.#attempts.send('POST', '/oauth/token', body, deadline);
      count(outcome.kind === 'response' ? outcome.status : undefined);
      if (isTransient(outcome)) {
        await this.#waitOrThrow(request, outcome, attempt, deadline);
        continue;
      }
      const { status, body: answer } = outcome as LogupResponse;
      if (status < 200 || status > 299) {
        const errorMessage = reasonOf(answer, status, this.#secrets());
        if (status === 404) {
          // No token endpoint there: the URL is wrong, not the credentials.
          const message = LOGUP_MESSAGES.tokenNotFound(errorMessage, `${this.#config.apiUrl}/oauth/token`);
          throw new LogupApiError({ operation: request.operation, status, errorMessage }, 'LOGUP_API', message);
        }
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

  /** Nothing secret in a log line or a JSON dump. */
  toJSON(): Record<string, unknown> {
    return { apiUrl: this.#config.apiUrl, accessToken: this.#tokens.toJSON() };
  }
}
