import { HttpModule } from '@nestjs/axios';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { LogupApiClient } from './logup-api.client.js';
import { resolveLogupConfig } from './logup.config.js';
import { LOGUP_CONFIG } from './logup.constants.js';
import { ConfigurableModuleClass, LOGUP_MODULE_OPTIONS } from './logup.module-definition.js';
import { LogupGuard } from './logup.guard.js';
import type { LogupModuleOptions } from './logup-module-options.interface.js';
import { LogupService } from './logup.service.js';
import { SecretHolder } from './logup.secret-holder.js';

/** The options as the container holds them: the secret out of inspect and JSON. */
function protect(options: unknown): unknown {
  if (typeof options !== 'object' || options === null) return options;
  const { secret, ...rest } = options as LogupModuleOptions;
  return new SecretHolder('LogupModuleOptions', secret, rest);
}

/** Wraps the options provider so the raw options (and their secret) are never what the container holds. */
function protectOptions(module: DynamicModule): DynamicModule {
  const providers = (module.providers ?? []).map((provider: Provider): Provider => {
    if (typeof provider !== 'object' || provider === null || !('provide' in provider)) return provider;
    if (provider.provide !== LOGUP_MODULE_OPTIONS) return provider;
    if ('useValue' in provider) return { ...provider, useValue: protect(provider.useValue) };
    if ('useFactory' in provider) {
      const factory = provider.useFactory;
      return { ...provider, useFactory: async (...args: unknown[]) => protect(await factory(...args)) };
    }
    return provider;
  });
  return { ...module, providers };
}

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
export class LogupModule extends ConfigurableModuleClass {
  /** Registers LogUp with options known now. */
  static override forRoot(options: Parameters<typeof ConfigurableModuleClass.forRoot>[0]): DynamicModule {
    return protectOptions(super.forRoot(options));
  }

  /** Registers LogUp with options from a factory, a class or an existing provider (e.g. `ConfigService`). */
  static override forRootAsync(options: Parameters<typeof ConfigurableModuleClass.forRootAsync>[0]): DynamicModule {
    return protectOptions(super.forRootAsync(options));
  }
}
