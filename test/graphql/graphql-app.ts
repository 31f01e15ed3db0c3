import { Controller, Get, Module, Req, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import session from 'express-session';
import type { LogupEmulator } from 'logup-emulator';
import { LogupGuard, LogupModule, LogupService } from 'nestjs-logup';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE } from '../support/logup-fixture.js';
import { graphqlOptions } from '../../examples/graphql/graphql.options.js';
import { VisitorResolver } from '../../examples/graphql/visitor.resolver.js';

@Controller('logup')
class LoginController {
  constructor(private readonly logup: LogupService) {}

  @Get('login')
  async login(@Req() request: object) {
    await this.logup.startLogin(request);
    return { started: true };
  }

  @Get('callback')
  @UseGuards(LogupGuard)
  callback() {
    return { loggedIn: true };
  }
}

/**
 * An Express app on 127.0.0.1 port 0: REST login routes, express-session, and Apollo
 * at /graphql with the README's options (`limits: false` leaves out its complexity
 * limit, to show what the library itself guarantees without it).
 */
export async function graphqlApp(
  emu: LogupEmulator,
  { limits = true }: { limits?: boolean } = {},
): Promise<{ app: INestApplication; base: string }> {
  const options: ApolloDriverConfig = limits ? graphqlOptions : { ...graphqlOptions, validationRules: [] };
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url }), GraphQLModule.forRoot<ApolloDriverConfig>(options)],
    controllers: [LoginController],
    providers: [VisitorResolver],
  })
  class AppModule {}
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), {
    logger: new CaptureLogger(),
  });
  app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false, name: 'sid' }));
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
