import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LOGUP_LOGIN_HANDLER } from 'nestjs-logup';
import { ProfileLoginHandler } from './profile.login-handler.js';
import { ProfileStore } from './profile.store.js';
import { SHARED_STATE, type SharedState } from '../infra/shared-state.js';

/** What the app logs at start-up when REDIS_URL (several replicas) meets the file database. */
export function replicaProfileWarning(file: string): string {
  return (
    `REDIS_URL is set (several replicas), but visitor profiles are kept in ${file}, a database file that only ` +
    "this process uses: each replica keeps its own profiles, and replicas sharing one DATA_DIR overwrite each other's. " +
    'Logins and sessions are not affected. For several replicas keep profiles in a shared database server ' +
    '(e.g. PostgreSQL); see sample-app/README.md.'
  );
}

class ProfileStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(ProfileStore) private readonly profiles: ProfileStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.profiles.close();
  }
}

/**
 * The app's profiles (DATA_DIR/profiles.sqlite) and the login handler that keeps them:
 * `{ provide: LOGUP_LOGIN_HANDLER, useClass: ProfileLoginHandler }`, exported to the
 * module whose controllers use `LogupGuard`.
 */
@Module({
  providers: [
    {
      provide: ProfileStore,
      inject: [ConfigService, SHARED_STATE],
      useFactory: async (config: ConfigService, shared: SharedState | null): Promise<ProfileStore> => {
        const profiles = await ProfileStore.open(config.getOrThrow<string>('dataDir'));
        const logger = new Logger('Profiles');
        logger.log(`Visitor profiles are kept in ${profiles.file} (DATA_DIR)`);
        if (shared) logger.warn(replicaProfileWarning(profiles.file));
        return profiles;
      },
    },
    { provide: LOGUP_LOGIN_HANDLER, useClass: ProfileLoginHandler },
    ProfileStoreLifecycle,
  ],
  exports: [ProfileStore, LOGUP_LOGIN_HANDLER],
})
export class ProfileModule {}
