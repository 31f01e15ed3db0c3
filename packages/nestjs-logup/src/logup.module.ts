import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { LogupApiClient } from './logup-api.client.js';
import { resolveLogupConfig } from './logup.config.js';
import { LOGUP_CONFIG } from './logup.constants.js';
import { ConfigurableModuleClass, LOGUP_MODULE_OPTIONS } from './logup.module-definition.js';
import { LogupGuard } from './logup.guard.js';
import { LogupService } from './logup.service.js';

/**
 * Verified LogUp logins and the per-subscription DB for a Nest application.
 * @example
 * LogupModule.forRoot({ idGate: 'gate_...', secret: process.env.LOGUP_SECRET!, isGlobal: true })
 * @example
 * LogupModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({
 *     idGate: config.getOrThrow('LOGUP_ID_GATE'),
 *     secret: config.getOrThrow('LOGUP_SECRET'),
 *   }),
 * })
 */
@Module({
  // A private axios instance: interceptors on the global one never see the secret.
  imports: [HttpModule.register({})],
  providers: [
    { provide: LOGUP_CONFIG, useFactory: resolveLogupConfig, inject: [LOGUP_MODULE_OPTIONS] },
    LogupApiClient,
    LogupService,
    LogupGuard,
  ],
  exports: [LogupService, LogupGuard, LOGUP_CONFIG],
})
export class LogupModule extends ConfigurableModuleClass {}
