import { ServiceUnavailableException } from '@nestjs/common';
import { createClient } from 'redis';
import { SampleConfigError } from '../sample.config.js';

/**
 * The state several replicas of the sample app share, in one Redis (REDIS_URL):
 * sessions (see redis-session.ts), the callback's rate limit and the library's
 * logged-out sessions (redis-stores.ts), together in shared-state.ts. Without REDIS_URL the app keeps its single-process
 * defaults (signed-cookie sessions, in-memory rate limit and revocation).
 */
export interface SharedStateSettings {
  /** `redis://host:port[/db]`; unset: no shared state. */
  redisUrl?: string;
  /** Names this replica in an `X-Replica` header on every answer; unset: no header. */
  replicaId?: string;
}

/** The message of the 503 answered while Redis cannot be reached. */
export const REDIS_DOWN_MESSAGE =
  'The site cannot reach its session store right now, so nobody can be logged in or out. ' +
  'Nothing was changed; please try again in a few seconds.';

/** Seconds a client is told to wait (Retry-After) while Redis is down. */
export const REDIS_RETRY_AFTER_SECONDS = 5;

/** A 503 for a Redis failure, which the app's error filter renders as a page. */
export function redisUnavailable(): ServiceUnavailableException {
  return new ServiceUnavailableException(REDIS_DOWN_MESSAGE);
}

/** Reads REDIS_URL and REPLICA_ID; refuses a REDIS_URL that is not a redis:// URL. */
export function sharedStateSettings(env: NodeJS.ProcessEnv): SharedStateSettings {
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined) {
    const url = URL.canParse(redisUrl) ? new URL(redisUrl) : undefined;
    if (!url || !['redis:', 'rediss:'].includes(url.protocol)) {
      throw new SampleConfigError('REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379');
    }
  }
  const replicaId = env.REPLICA_ID?.trim() || undefined;
  if (replicaId !== undefined && !/^[\w.-]{1,64}$/.test(replicaId)) {
    throw new SampleConfigError('REPLICA_ID must be 1-64 letters, digits, dots, dashes or underscores');
  }
  return { redisUrl, replicaId };
}

/**
 * How long one Redis command may take, and one connection attempt, in ms. Short on
 * purpose: a request that needs Redis answers 503 quickly instead of hanging.
 * (node-redis's own `commandOptions.timeout` only covers a command not yet sent,
 * so a connected but frozen Redis would hang it: {@link withDeadline} bounds the wait.)
 */
export const COMMAND_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 1000;

export type SampleRedisClient = ReturnType<typeof createSampleRedisClient>;

/**
 * One node-redis client for everything: no offline queue (a command while Redis is
 * down fails at once instead of piling up), short command and connect timeouts, and
 * reconnection forever with a capped backoff, so the app recovers by itself.
 */
export function createSampleRedisClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** Math.min(retries, 4), 1000),
    },
  });
}

/**
 * The client, each of whose commands rejects after `ms` if Redis has not answered
 * (the command itself stays queued in the client; its late answer is ignored).
 */
export function withDeadline(client: SampleRedisClient, ms: number): SampleRedisClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
        });
        return Promise.race([result, deadline]).finally(() => clearTimeout(timer));
      };
    },
  });
}
