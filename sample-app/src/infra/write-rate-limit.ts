import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { redisUnavailable } from './redis.js';
import { SHARED_STATE, type SharedState } from './shared-state.js';

/** The window of WRITE_RATE_LIMIT, in seconds. */
const WINDOW_SECONDS = 60;

/** 429: this visitor made WRITE_RATE_LIMIT changes in the last minute. `retryAfterSeconds`: when the next one counts. */
export class VisitorWriteLimitException extends HttpException {
  constructor(
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `at most ${limit} changes a minute per visitor; try again in ${retryAfterSeconds} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/**
 * Counts each visitor's changes (rename, DB saves and deletions) by LogUp
 * subscription, WRITE_RATE_LIMIT a minute, so that one visitor cannot keep the
 * database, LogUp or this process busy for everyone. In memory, or in Redis with
 * REDIS_URL (shared by every replica; a Redis failure is a 503).
 */
@Injectable()
export class VisitorWriteLimit {
  readonly limit: number;
  readonly #limiter: RateLimiterAbstract;

  constructor(config: ConfigService, @Inject(SHARED_STATE) shared: SharedState | null) {
    this.limit = config.getOrThrow<number>('writeRateLimit');
    const options = { keyPrefix: 'writes', points: this.limit, duration: WINDOW_SECONDS };
    this.#limiter = shared
      ? new RateLimiterRedis({ ...options, storeClient: shared.client, useRedisPackage: true })
      : new RateLimiterMemory(options);
  }

  /**
   * Counts one change by `idSubscription`.
   * @throws VisitorWriteLimitException (429) past the limit; ServiceUnavailableException when Redis fails
   */
  async consume(idSubscription: string): Promise<void> {
    try {
      await this.#limiter.consume(idSubscription);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw redisUnavailable();
      throw new VisitorWriteLimitException(this.limit, Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
    }
  }
}
