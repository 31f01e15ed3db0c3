import { Module } from '@nestjs/common';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule } from 'nestjs-logup';
import { LoginRoutes } from '../support/login-routes.js';
import { GATE } from '../support/logup-fixture.js';
import { startNestApp, type RunningApp } from '../support/nest-app.js';
import { useExpressSession } from '../support/sessions.js';
import { graphqlOptions } from '../../examples/graphql/graphql.options.js';
import { VisitorResolver } from '../../examples/graphql/visitor.resolver.js';

/**
 * An Express app on 127.0.0.1 port 0: REST login routes, express-session, and Apollo
 * at /graphql with the README's options (`limits: false` leaves out its complexity
 * limit, to show what the library itself guarantees without it).
 */
export async function graphqlApp(
  emu: LogupEmulator,
  { limits = true }: { limits?: boolean } = {},
): Promise<RunningApp> {
  const options: ApolloDriverConfig = limits ? graphqlOptions : { ...graphqlOptions, validationRules: [] };
  @Module({
    imports: [LogupModule.forRoot({ ...GATE, baseUrl: emu.url }), GraphQLModule.forRoot<ApolloDriverConfig>(options)],
    controllers: [LoginRoutes],
    providers: [VisitorResolver],
  })
  class AppModule {}
  return startNestApp(AppModule, { setup: (app: NestExpressApplication) => useExpressSession(app, { name: 'sid' }) });
}
