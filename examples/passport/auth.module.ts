import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AppUserSerializer } from './app-user.serializer.js';
import { AppUserStrategy } from './app-user.strategy.js';
import { AuthController } from './auth.controller.js';

// LogupModule is registered once, with isGlobal: true, in the AppModule (quick start):
// LogupStrategy and the controller use its LogupService.
@Module({
  imports: [PassportModule.register({ session: true })],
  controllers: [AuthController],
  providers: [AppUserStrategy, AppUserSerializer],
})
export class AuthModule {}
