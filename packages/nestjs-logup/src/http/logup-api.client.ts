import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LogupAccessTokenCache, parseAccessTokenAnswer, type LogupAccessToken } from './logup.access-token.js';
import { LOGUP_CONFIG } from '../logup.constants.js';
import {
  errorForStatus,
  LogupApiError,
  LogupUnavailableError,
  malformedAnswer,
  type LogupError,
} from '../errors/logup.errors.js';
import { LOGUP_MESSAGES } from '../errors/logup.messages.js';
import { LogupHttpAttempts, type LogupHttpOutcome } from './logup.http-attempts.js';
import { LogupSharedReads } from './logup.shared-reads.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import { reasonOf } from '../errors/logup.redact.js';
import { decideRetry, isTransient } from './logup.retry.js';
import { LogupTelemetry } from './logup.telemetry.js';
import type { LogupRequest, LogupResponse, LogupTransport } from './logup.transport.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What an attempt loop needs to know about the attempts so far. */
interface AttemptState {
  attempt: number;
  /** The one retry on a fresh connection after a stale pooled socket was used. */
  freshUsed: boolean;
  /** The next attempt goes on a fresh connection. */
  fresh: boolean;
}

/**
 * The LogUp REST client behind `LogupService`: authenticated calls with the access
 * token cache, the retry policy within a total budget, per-attempt wall-clock
 * deadlines (one attempt: `LogupHttpAttempts`), identical DB reads in flight shared
 * (`LogupSharedReads`). A call whose pooled socket turns out closed before any answer
 * byte is repeated once on a fresh connection, whatever the call (LogUp never saw it;
 * a verification it did see comes back "not verified"). The gate secret and the
 * access token live in private fields. Internal.
 */
@Injectable()
export class LogupApiClient implements LogupTransport, OnModuleInit, OnModuleDestroy {
  readonly #logger = new Logger('LogupModule');
  readonly #config: LogupConfig;
  readonly #attempts: LogupHttpAttempts;
  readonly #tokens: LogupAccessTokenCache;
  readonly #telemetry = new LogupTelemetry();
  readonly #reads = new LogupSharedReads<LogupResponse>();

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

  /**
   * Sends an authenticated API call, retried as `decideRetry` says, within
   * `retry.budgetMs`. A DB read joins the identical read in flight, if any.
   */
  request(request: LogupRequest): Promise<LogupResponse> {
    const send = () => this.#traced(request.operation, (count) => this.#request(request, count));
    if (!request.path.startsWith('/subscription/')) return send();
    return request.method === 'GET' ? this.#reads.read(request.path, send) : this.#reads.write(request.path, send);
  }

  async #request(request: LogupRequest, count: (status?: number) => void): Promise<LogupResponse> {
    const deadline = Date.now() + this.#config.retry.budgetMs;
    const state: AttemptState = { attempt: 0, freshUsed: false, fresh: false };
    let renewedAfter401 = false;
    for (;;) {
      const token = await this.#tokens.get(deadline);
      const outcome = await this.#attempts.send(request.method, request.path, request.body, deadline, {
        accessToken: token.value,
        fresh: state.fresh,
      });
      count(outcome.kind === 'response' ? outcome.status : undefined);
      if (outcome.kind === 'response' && outcome.status === 401 && !renewedAfter401) {
        // The token expired or was revoked early: LogUp refused the call before processing
        // it, so renewing once and repeating is safe even for a verification.
        renewedAfter401 = true;
        this.#tokens.invalidate(token);
        continue;
      }
      if (!isTransient(outcome)) return outcome as LogupResponse;
      await this.#waitOrThrow(request, outcome, state, deadline, token);
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

  /**
   * Fetches a new access token now (health checks), within one `timeoutMs`: proves
   * LogUp answers and accepts the credentials, and the token then serves every other
   * call. It neither waits for a renewal already in flight nor drops the cached token.
   */
  async renewAccessToken(): Promise<void> {
    await this.#tokens.refresh(Date.now() + Math.min(this.#config.timeoutMs, this.#config.retry.budgetMs));
  }

  /** The status -> error mapping for an answer the caller did not expect; secrets cut out. */
  errorFor(request: Pick<LogupRequest, 'operation' | 'secrets'>, response: LogupResponse): LogupError {
    return errorForStatus({
      operation: request.operation,
      status: response.status,
      errorMessage: reasonOf(response.body, response.status, this.#secrets(request.secrets)),
    });
  }

  /** Returns when the next attempt may go (at once on a fresh connection, or after a backoff), or throws. */
  async #waitOrThrow(
    request: Pick<LogupRequest, 'operation' | 'idempotent' | 'secrets'>,
    outcome: LogupHttpOutcome,
    state: AttemptState,
    deadline: number,
    token?: LogupAccessToken,
  ): Promise<void> {
    state.fresh = false;
    if (outcome.kind === 'failure' && outcome.staleSocket && !state.freshUsed && Date.now() < deadline) {
      state.freshUsed = state.fresh = true;
      this.#telemetry.retry(request.operation);
      this.#logger.debug(`${request.operation}: ${outcome.detail}; repeating on a fresh connection`);
      return;
    }
    const wait = decideRetry(outcome, state.attempt++, request, deadline, this.#config.retry);
    const failure =
      outcome.kind === 'failure'
        ? new LogupUnavailableError({
            operation: request.operation,
            reason: outcome.reason,
            detail: outcome.detail,
            notSent: outcome.notSent,
          })
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
    const state: AttemptState = { attempt: 0, freshUsed: false, fresh: false };
    for (;;) {
      const outcome = await this.#attempts.send('POST', '/oauth/token', body, deadline, { fresh: state.fresh });
      count(outcome.kind === 'response' ? outcome.status : undefined);
      if (isTransient(outcome)) {
        await this.#waitOrThrow(request, outcome, state, deadline);
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
      const parsed = parseAccessTokenAnswer(answer);
      if ('problem' in parsed) throw malformedAnswer(request.operation, status, parsed.problem);
      return parsed;
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
