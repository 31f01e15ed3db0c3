import { Inject, Injectable } from '@nestjs/common';
import { LogupApiClient, reasonOf } from './logup-api.client.js';
import { LOGUP_CONFIG } from './logup.constants.js';
import { LogupApiError, LogupUnavailableError } from './logup.errors.js';
import type { LogupConfig } from './logup-module-options.interface.js';
import { LogupSubscription } from './logup.subscription.js';
import { assertId, assertVerifyInput, parseDb } from './logup.validation.js';

/** The outcome of {@link LogupService.verify}. */
export type LogupVerification =
  { verified: true; subscription: LogupSubscription } | { verified: false; errorMessage: string };

/** Verifies LogUp callback tokens and gives access to subscriptions and their DBs. */
@Injectable()
export class LogupService {
  constructor(
    private readonly client: LogupApiClient,
    @Inject(LOGUP_CONFIG) private readonly config: LogupConfig,
  ) {}

  /**
   * Verifies the `logupToken` of a callback URL with LogUp. A token is single-use, so
   * the call is not repeated once it may have reached LogUp.
   * @param isNewUser the callback's `isNewUser`, kept beside the subscription (not sent).
   * @returns `{ verified: true, subscription }`, or `{ verified: false, errorMessage }` with LogUp's reason.
   * @throws LogupValidationError for a malformed token (nothing is sent);
   *   LogupUnavailableError, LogupCredentialsError or LogupApiError when LogUp cannot answer.
   * @example
   * const result = await logup.verify(query.logupToken, query.isNewUser === 'true');
   * if (result.verified) console.log(result.subscription.idSubscription);
   */
  async verify(logupToken: string, isNewUser: boolean): Promise<LogupVerification> {
    assertVerifyInput(logupToken, isNewUser);
    const { status, body } = await this.client.request({
      method: 'POST',
      path: '/verification',
      body: { logupToken },
      operation: 'verification',
      idempotent: false,
    });
    if (status === 400 || status === 403) return { verified: false, errorMessage: reasonOf(body, status) };
    if (status !== 200) throw new LogupApiError('verification', status, reasonOf(body, status));
    const answer = (body ?? {}) as Record<string, unknown>;
    if (answer.verified === false) {
      return {
        verified: false,
        errorMessage: typeof answer.errorMessage === 'string' ? answer.errorMessage : 'NOT_VERIFIED',
      };
    }
    const db = answer.db === undefined || answer.db === null ? {} : parseDb(answer.db);
    if (answer.verified !== true || typeof answer.idSubscription !== 'string' || !db) {
      throw new LogupUnavailableError('verification', 'malformed_response', 'the answer is not a verification result');
    }
    const subscription = new LogupSubscription(this.client, this.config, {
      idSubscription: answer.idSubscription,
      idActor: typeof answer.idActor === 'string' ? answer.idActor : undefined,
      isNewUser,
      db,
    });
    return { verified: true, subscription };
  }

  /**
   * Checks that LogUp answers and accepts the gate credentials, by fetching a fresh
   * access token (it replaces the cached one). For health checks.
   * @returns the round trip in ms.
   * @throws LogupCredentialsError when the credentials are refused; LogupUnavailableError when LogUp cannot answer.
   */
  async checkConnection(): Promise<{ latencyMs: number }> {
    const started = Date.now();
    await this.client.renewAccessToken();
    return { latencyMs: Date.now() - started };
  }

  /**
   * A subscription by id, to work on any visitor's DB (the Python SDK's
   * `subscription_custom`). With `apiVersion: 'v1_0'` the DB is addressed by actor:
   * pass `{ idActor }` too. `isNewUser` is only carried along.
   */
  subscription(idSubscription: string, options: { idActor?: string; isNewUser?: boolean } = {}): LogupSubscription {
    assertId(idSubscription, 'idSubscription');
    if (options.idActor !== undefined) assertId(options.idActor, 'idActor');
    return new LogupSubscription(this.client, this.config, {
      idSubscription,
      idActor: options.idActor,
      isNewUser: typeof options.isNewUser === 'boolean' ? options.isNewUser : undefined,
    });
  }
}
