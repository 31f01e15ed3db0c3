import { HttpService } from '@nestjs/axios';
import { Logger, type DynamicModule, type Provider } from '@nestjs/common';
import { LOGUP_MESSAGES } from './errors/logup.messages.js';
import { APP_INTERCEPTOR } from '@nestjs/core';
import axios from 'axios';
import { LogupApiClient } from './http/logup-api.client.js';
import { resolveLogupConfig } from './options/logup.config.js';
import { LOGUP_CONFIG, LOGUP_MODULE_OPTIONS, LOGUP_SERVICE } from './logup.constants.js';
import { LogupErrorInterceptor } from './errors/logup.error-interceptor.js';
import { LogupGuard } from './login/logup.guard.js';
import type { LogupModuleOptions } from './options/logup-module-options.interface.js';
import { SecretHolder } from './options/logup.secret-holder.js';
import { LogupService } from './logup.service.js';
import { LOGUP_DEFAULT_NAME } from './logup.constants.js';
import { getLogupConfigToken, getLogupServiceToken } from './logup.injection.js';

/** Which gate a LogupModule instance serves (for the duplicate check). */
export const LOGUP_INSTANCE = Symbol.for('nestjs-logup.instance');

/** The options as the container holds them: the secret out of inspect and JSON. */
function protect(options: unknown): unknown {
  if (typeof options !== 'object' || options === null) return options;
  const { secret, ...rest } = options as LogupModuleOptions;
  return new SecretHolder('LogupModuleOptions', secret, rest);
}

/** The module's own HttpService: the app's (`httpService`), or one on a private axios instance. */
function httpServiceOf(options: LogupModuleOptions): HttpService {
  if (options.httpService) return options.httpService;
  // A private axios instance: interceptors on the global one never see the secret.
  // Typed as unknown first: the CommonJS build sees axios's CommonJS typings and
  // @nestjs/axios its ESM ones, two copies of the same type.
  const instance: unknown = axios.create(options.httpModuleOptions ?? {});
  return new HttpService(instance as HttpService['axiosRef']);
}

/** Wraps the options provider so the raw options (and their secret) are never what the container holds. */
function protectOptions(providers: Provider[]): Provider[] {
  return providers.map((provider: Provider): Provider => {
    if (typeof provider !== 'object' || provider === null || !('provide' in provider)) return provider;
    if (provider.provide !== LOGUP_MODULE_OPTIONS) return provider;
    if ('useValue' in provider) return { ...provider, useValue: protect(provider.useValue) };
    if ('useFactory' in provider) {
      const factory = provider.useFactory;
      return { ...provider, useFactory: async (...args: unknown[]) => protect(await factory(...args)) };
    }
    return provider;
  });
}

/** Adds the gate's providers and exports to what ConfigurableModuleBuilder built. */
export function defineLogupInstance(definition: DynamicModule, extras: { isGlobal?: boolean; name?: string }) {
  const name = extras.name || LOGUP_DEFAULT_NAME;
  const named = name !== LOGUP_DEFAULT_NAME;
  const providers: Provider[] = [
    ...protectOptions(definition.providers ?? []),
    {
      provide: LOGUP_CONFIG,
      useFactory: (options: LogupModuleOptions) => {
        warnIfTwoCopies();
        return resolveLogupConfig(options, name);
      },
      inject: [LOGUP_MODULE_OPTIONS],
    },
    { provide: HttpService, useFactory: httpServiceOf, inject: [LOGUP_MODULE_OPTIONS] },
    LogupApiClient,
    LogupService,
    { provide: LOGUP_SERVICE, useExisting: LogupService },
    LogupGuard,
    { provide: LOGUP_INSTANCE, useValue: { name } },
    // Library errors thrown in the app's own routes answer 400/502/503/504, not 500 (option mapErrors).
    { provide: APP_INTERCEPTOR, useClass: LogupErrorInterceptor },
  ];
  if (named) {
    providers.push(
      { provide: getLogupServiceToken(name), useExisting: LogupService },
      { provide: getLogupConfigToken(name), useExisting: LOGUP_CONFIG },
    );
  }
  return {
    ...definition,
    global: extras.isGlobal,
    providers,
    exports: named
      ? [getLogupServiceToken(name), getLogupConfigToken(name)]
      : [LogupService, LOGUP_SERVICE, LogupGuard, LOGUP_CONFIG],
  };
}

/** Every copy of this package loaded in the process registers its LogupService class here. */
const copies = ((globalThis as Record<symbol, unknown>)[Symbol.for('nestjs-logup.copies')] ??=
  new Set<unknown>()) as Set<unknown>;
copies.add(LogupService);
let warnedTwoCopies = false;

/**
 * Logs once, at boot, when two copies of the package are loaded (an ESM `import` and a
 * CommonJS `require`, or two installed versions): their classes differ, so a class
 * injected from one copy is not the other's provider.
 */
function warnIfTwoCopies(): void {
  if (copies.size < 2 || warnedTwoCopies) return;
  warnedTwoCopies = true;
  new Logger('LogupModule').warn(LOGUP_MESSAGES.twoCopies(copies.size));
}
