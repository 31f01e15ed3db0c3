import { Module } from '@nestjs/common';
import { LogupModule } from 'nestjs-logup';
import { AuthController } from './auth.controller.js';
import { HealthModule } from './health.module.js';

@Module({
  imports: [
    LogupModule.forRoot({
      idGate: process.env.LOGUP_ID_GATE!,
      secret: process.env.LOGUP_SECRET!,
      baseUrl: process.env.LOGUP_BASE_URL, // unset: the real LogUp; in tests, the emulator
      sessionKey: 'auth', // optional: the session key the login is kept under (default 'logup')
      isGlobal: true,
    }),
    HealthModule,
  ],
  controllers: [AuthController],
})
export class AppModule {}
