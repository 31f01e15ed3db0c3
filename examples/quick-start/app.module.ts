import { Module } from '@nestjs/common';
import { LogupModule } from 'nestjs-logup';
import { AuthController } from './auth.controller.js';

@Module({
  imports: [
    // The factory runs when the app starts, not when this file is imported,
    // so a test can set the environment first.
    LogupModule.forRootAsync({
      isGlobal: true,
      useFactory: () => ({
        idGate: process.env.LOGUP_ID_GATE!,
        secret: process.env.LOGUP_SECRET!,
        baseUrl: process.env.LOGUP_BASE_URL, // unset: the real LogUp; in tests, the emulator
        sessionKey: 'auth', // optional: the session key the login is kept under (default 'logup')
      }),
    }),
  ],
  controllers: [AuthController],
})
export class AppModule {}
