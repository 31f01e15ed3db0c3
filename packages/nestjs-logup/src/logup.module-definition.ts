import { ConfigurableModuleBuilder } from '@nestjs/common';
import { LOGUP_MODULE_OPTIONS } from './logup.constants.js';
import { defineLogupInstance } from './logup.gate-providers.js';
import type { LogupModuleOptions } from './options/logup-module-options.interface.js';

export const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<LogupModuleOptions>({
  moduleName: 'Logup',
  optionsInjectionToken: LOGUP_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createLogupOptions')
  .setExtras({ isGlobal: false, name: '' }, (definition, extras) => defineLogupInstance(definition, extras))
  .build();
