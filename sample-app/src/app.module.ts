import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule } from 'nestjs-logup';
import { EMBEDDED_LOGUP, EmbeddedLogupModule } from './embedded-logup.module.js';
import { HtmlErrorFilter } from './html-error.filter.js';
import { PagesController } from './pages.controller.js';
import { sampleConfig, type SampleConfig } from './sample.config.js';

@Module({})
export class AppModule {
  /** The app, configured from `env` (default `process.env`). */
  static register(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => sampleConfig(env)] }),
        EmbeddedLogupModule,
        LogupModule.forRootAsync({
          isGlobal: true,
          inject: [ConfigService, EMBEDDED_LOGUP],
          useFactory: (config: ConfigService, emulator: LogupEmulator | null) => {
            const logup = config.getOrThrow<SampleConfig['logup']>('logup');
            return {
              idGate: logup.idGate,
              secret: logup.secret,
              apiVersion: logup.apiVersion,
              baseUrl: emulator?.url ?? logup.baseUrl,
              timeoutMs: logup.timeoutMs,
              // Unauthenticated browsers go to the home page, which has the login button.
              loginUrl: '/',
            };
          },
        }),
        ThrottlerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => [
            { ttl: 60_000, limit: config.getOrThrow<number>('callbackRateLimit') },
          ],
        }),
      ],
      controllers: [PagesController],
      providers: [{ provide: APP_FILTER, useClass: HtmlErrorFilter }],
    };
  }
}
