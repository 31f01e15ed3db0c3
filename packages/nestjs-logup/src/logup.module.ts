import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { LOGUP_CONFIG } from './logup.constants.js';
import { LogupConfigurationError } from './errors/logup.errors.js';
import { LOGUP_INSTANCE } from './logup.gate-providers.js';
import { LOGUP_MESSAGES } from './errors/logup.messages.js';
import { ConfigurableModuleClass } from './logup.module-definition.js';
import type { LogupConfig } from './options/logup-module-options.interface.js';

/**
 * Verified LogUp logins and the per-subscription DB for a Nest application. Give
 * `name` to register several gates; each gets its own client, access token,
 * session key and callback path.
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
@Module({})
export class LogupModule extends ConfigurableModuleClass implements OnModuleInit {
  readonly #modules: ModulesContainer;

  /** @internal Nest creates the module; use `forRoot()` or `forRootAsync()`. */
  constructor(@Inject(ModulesContainer) modules: ModulesContainer) {
    super();
    this.#modules = modules;
  }

  /** Registers a gate with options known now (`name` for a second gate, `isGlobal`). */
  static override forRoot(options: Parameters<typeof ConfigurableModuleClass.forRoot>[0]): DynamicModule {
    return super.forRoot(options);
  }

  /** Registers a gate with options from `useFactory` (with `inject`), `useClass` or `useExisting`. */
  static override forRootAsync(options: Parameters<typeof ConfigurableModuleClass.forRootAsync>[0]): DynamicModule {
    return super.forRootAsync(options);
  }

  /**
   * Fails the boot when two LogupModule registrations share a gate name, a
   * `sessionKey` (one gate's login would overwrite the other's) or a `callbackPath`.
   */
  onModuleInit(): void {
    const names = new Set<string>();
    const sessionKeys = new Map<string, string>();
    const callbackPaths = new Map<string, string>();
    const problems: { option: string; problem: string }[] = [];
    for (const module of this.#modules.values()) {
      if (module.metatype !== LogupModule) continue;
      const instance = module.providers.get(LOGUP_INSTANCE)?.instance as { name: string } | undefined;
      const config = module.providers.get(LOGUP_CONFIG)?.instance as LogupConfig | undefined;
      if (!instance) continue;
      if (names.has(instance.name)) {
        throw new LogupConfigurationError([{ option: 'name', problem: LOGUP_MESSAGES.duplicateName(instance.name) }]);
      }
      names.add(instance.name);
      if (!config) continue;
      const shared = (setting: 'sessionKey' | 'callbackPath', seen: Map<string, string>, value: string | false) => {
        if (value === false) return;
        const other = seen.get(value);
        if (other !== undefined) {
          problems.push({
            option: setting,
            problem: LOGUP_MESSAGES.duplicateGateSetting(setting, value, other, config.name),
          });
        }
        seen.set(value, config.name);
      };
      shared('sessionKey', sessionKeys, config.sessionKey);
      shared('callbackPath', callbackPaths, config.callbackPath.replace(/(.)\/+$/, '$1'));
    }
    if (problems.length > 0) throw new LogupConfigurationError(problems);
  }
}
