import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule } from 'nestjs-logup';
import { EMBEDDED_LOGUP, EmbeddedLogupModule } from './embedded-logup.module.js';
import { HtmlErrorFilter } from './html-error.filter.js';
import { HomeController } from './home.controller.js';
import { SecureCookieGuard } from './infra/secure-cookie.guard.js';
import { SharedStateModule, type SharedState } from './infra/shared-state.js';
import { VisitorWriteLimit } from './infra/write-rate-limit.js';
import { LoginController } from './login.controller.js';
import { AssetsController } from './assets.controller.js';
import { AccountController } from './profile/account.controller.js';
import { LiveGateway } from './profile/live.gateway.js';
import { ProfileModule } from './profile/profile.module.js';
import type { SampleConfig } from './sample.config.js';

@Module({})
export class AppModule {
  /** The app, configured from `sampleConfig(env)`; `shared`: Redis-backed state for several replicas (REDIS_URL). */
  static register(config: SampleConfig, shared: SharedState | null = null): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Every setting under its own name, and the whole object as `sample`.
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...config, sample: config })] }),
        EmbeddedLogupModule,
        SharedStateModule.register(shared),
        // The login hook (LOGUP_LOGIN_HANDLER): a local profile per visitor, in DATA_DIR.
        ProfileModule,
        LogupModule.forRootAsync({
          isGlobal: true,
          inject: [EMBEDDED_LOGUP],
          useFactory: (emulator: LogupEmulator | null) => ({
            idGate: config.logup.idGate,
            secret: config.logup.secret,
            apiVersion: config.logup.apiVersion,
            baseUrl: emulator?.url ?? config.logup.baseUrl,
            timeoutMs: config.logup.timeoutMs,
            // The emulator keeps the redirect URL's query, so the login's nonce can ride
            // through it; real LogUp's redirect URL is fixed in its console, so there the
            // callback is bound to the browser by the pending login alone.
            loginBinding: config.loginBinding,
            sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
            // Unauthenticated browsers go to the home page, which has the login button.
            loginUrl: '/',
            // Its own error pages (html-error.filter.ts) explain a refused callback.
            callbackErrorUrl: false,
            // With REDIS_URL, logouts are remembered in Redis for every replica.
            ...(shared ? { sessionRevocation: shared.revocation } : {}),
          }),
        }),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: config.callbackRateLimit }],
          // With REDIS_URL the count is shared by every replica; else in process memory.
          ...(shared ? { storage: shared.throttlerStorage } : {}),
        }),
      ],
      controllers: [HomeController, AccountController, LoginController, AssetsController],
      providers: [
        { provide: APP_FILTER, useClass: HtmlErrorFilter },
        { provide: APP_GUARD, useClass: SecureCookieGuard },
        // Each visitor's changes per minute (WRITE_RATE_LIMIT), in Redis with REDIS_URL.
        VisitorWriteLimit,
        LiveGateway,
      ],
    };
  }
}
