import type { Logger } from '@nestjs/common';
import { errorForStatus, LogupUnavailableError } from '../errors/logup.api-errors.js';
import { reasonOf } from '../errors/logup.redact.js';
import type { LogupConfig } from '../options/logup-module-options.interface.js';
import type { LogupHttpAttempts, LogupHttpOutcome } from './logup.http-attempts.js';
import { decideRetry } from './logup.retry.js';
import type { LogupCallTrace, LogupTelemetry } from './logup.telemetry.js';
import type { LogupRequest } from './logup.transport.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What every call's attempts share: the settings, the HTTP attempts, telemetry and the log. */
export interface LogupAttemptDeps {
  readonly config: LogupConfig;
  readonly attempts: LogupHttpAttempts;
  readonly telemetry: LogupTelemetry;
  readonly logger: Logger;
}

/**
 * The attempts of one call (an API call or an access-token fetch), ending by
 * `deadline` (epoch ms): each attempt is sent and counted in the call's trace, and
 * after a transient outcome `waitOrThrow` decides whether the next one goes at once
 * on a fresh connection (once, after a stale pooled socket), after a backoff
 * (`decideRetry`), or not at all (the error is thrown). Internal.
 */
export class LogupAttemptLoop {
  #attempt = 0;
  /** The one retry on a fresh connection after a stale pooled socket. */
  #freshUsed = false;
  /** The next attempt goes on a fresh connection. */
  #fresh = false;

  constructor(
    private readonly deps: LogupAttemptDeps,
    private readonly request: Pick<LogupRequest, 'operation' | 'idempotent' | 'secrets'>,
    readonly deadline: number,
    private readonly trace: LogupCallTrace,
  ) {}

  /** Sends one attempt (never throws for transport problems) and counts it. */
  async send(call: Pick<LogupRequest, 'method' | 'path' | 'body'>, accessToken?: string): Promise<LogupHttpOutcome> {
    const outcome = await this.deps.attempts.send(call.method, call.path, call.body, this.deadline, {
      accessToken,
      fresh: this.#fresh,
    });
    this.trace.attempt(outcome.kind === 'response' ? outcome.status : undefined);
    return outcome;
  }

  /**
   * Returns when the next attempt may go, or throws the error for `outcome`;
   * `secrets` are cut out of any LogUp text put into the error.
   */
  async waitOrThrow(outcome: LogupHttpOutcome, secrets: readonly string[]): Promise<void> {
    const { operation } = this.request;
    const { logger, telemetry } = this.deps;
    this.#fresh = false;
    if (outcome.kind === 'failure' && outcome.staleSocket && !this.#freshUsed && Date.now() < this.deadline) {
      this.#freshUsed = this.#fresh = true;
      telemetry.retry(operation);
      logger.debug(`${operation}: ${outcome.detail}; repeating on a fresh connection`);
      return;
    }
    const wait = decideRetry(outcome, this.#attempt++, this.request, this.deadline, this.deps.config.retry);
    const failure =
      outcome.kind === 'failure'
        ? new LogupUnavailableError({
            operation,
            reason: outcome.reason,
            detail: outcome.detail,
            notSent: outcome.notSent,
          })
        : errorForStatus({
            operation,
            status: outcome.status,
            errorMessage: reasonOf(outcome.body, outcome.status, secrets),
            retryAfterSeconds: outcome.retryAfterSeconds,
          });
    if (wait === 'stop') throw failure;
    telemetry.retry(operation);
    logger.debug(`${operation}: ${failure.message}; retrying in ${Math.round(wait)} ms`);
    await sleep(wait);
  }
}

/** Runs `call` inside a telemetry span that counts its attempts (a no-op without OpenTelemetry). */
export async function traced<T>(
  telemetry: LogupTelemetry,
  operation: string,
  call: (trace: LogupCallTrace) => Promise<T>,
): Promise<T> {
  const trace = telemetry.start(operation);
  try {
    const result = await call(trace);
    telemetry.end(trace);
    return result;
  } catch (error) {
    telemetry.end(trace, error as { code?: string });
    throw error;
  }
}
