import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { LogupModuleOptions } from './logup-module-options.interface.js';

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: LOGUP_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<LogupModuleOptions>({ moduleName: 'Logup' })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createLogupOptions')
    .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();
