import { Global, Inject, Logger, Module, type DynamicModule } from '@nestjs/common';
import {
  COMMAND_TIMEOUT_MS,
  createSampleRedisClient,
  sharedStateSettings,
  withDeadline,
  type SampleRedisClient,
  type SharedStateSettings,
} from './redis.js';
import { RedisSessionRevocationStore, RedisThrottlerStorage } from './redis-stores.js';

/** The app's {@link SharedState}, or null when REDIS_URL is unset. */
export const SHARED_STATE = Symbol('SHARED_STATE');

class SharedStateLifecycle {
  constructor(@Inject(SHARED_STATE) private readonly shared: SharedState | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.shared?.close();
  }
}

/** Makes the shared state injectable (`SHARED_STATE`) and closes its Redis client at shutdown. */
@Global()
@Module({})
export class SharedStateModule {
  static register(shared: SharedState | null): DynamicModule {
    return {
      module: SharedStateModule,
      providers: [{ provide: SHARED_STATE, useValue: shared }, SharedStateLifecycle],
      exports: [SHARED_STATE],
    };
  }
}

/** The Redis client and what is built on it; `close()` at shutdown. */
export class SharedState {
  /** The client for commands: each answers within COMMAND_TIMEOUT_MS or fails. */
  readonly client: SampleRedisClient;
  readonly #connection: SampleRedisClient;
  readonly revocation: RedisSessionRevocationStore;
  readonly throttlerStorage: RedisThrottlerStorage;
  readonly #logger = new Logger('Redis');
  #down = false;

  constructor(readonly settings: SharedStateSettings & { redisUrl: string }) {
    this.#connection = createSampleRedisClient(settings.redisUrl);
    this.client = withDeadline(this.#connection, COMMAND_TIMEOUT_MS);
    this.revocation = new RedisSessionRevocationStore(this.client);
    this.throttlerStorage = new RedisThrottlerStorage(this.client);
    // Log a change of state once, not every reconnection attempt.
    this.#connection.on('error', (error: Error) => {
      if (this.#down) return;
      this.#down = true;
      this.#logger.error(`Redis is unreachable (${error.message}); answering 503 until it is back`);
    });
    this.#connection.on('ready', () => {
      if (this.#down) this.#logger.log('Redis is reachable again');
      this.#down = false;
    });
  }

  /** Whether commands can be sent now (connected, not reconnecting). */
  get ready(): boolean {
    return this.#connection.isReady;
  }

  /** Starts connecting; the app starts (and answers 503) even if Redis is not up yet. */
  connect(): void {
    this.#connection.connect().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#connection.isOpen) await this.#connection.close().catch(() => this.#connection.destroy());
  }
}

/** The shared state for this environment, connecting, or null without REDIS_URL. */
export function openSharedState(env: NodeJS.ProcessEnv): SharedState | null {
  const settings = sharedStateSettings(env);
  if (!settings.redisUrl) return null;
  const shared = new SharedState({ ...settings, redisUrl: settings.redisUrl });
  shared.connect();
  return shared;
}
