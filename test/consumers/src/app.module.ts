import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { LogupModule } from 'nestjs-logup';
import { AccountController } from './account.controller.js';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true }),
    LogupModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        idGate: config.getOrThrow<string>('LOGUP_ID_GATE'),
        secret: config.getOrThrow<string>('LOGUP_SECRET'),
        baseUrl: config.getOrThrow<string>('LOGUP_BASE_URL'),
      }),
    }),
  ],
  controllers: [AccountController],
})
export class AppModule {}
