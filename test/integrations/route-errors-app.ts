// An app's own routes and resolver calling the library — nothing added for errors:
// the body's `data` goes to updateDb() for the subscription a fresh logupToken verifies.
import { Body, Controller, Module, Post } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Args, GraphQLModule, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { LogupEmulator } from 'logup-emulator';
import { LogupModule, LogupService, type LogupDb, type LogupModuleOptions } from 'nestjs-logup';
import { GATE } from '../support/logup-fixture.js';
import { startNestApp, type RunningApp } from '../support/nest-app.js';

async function subscriptionFor(logup: LogupService, logupToken: string) {
  const verification = await logup.verify(logupToken, false);
  if (!verification.verified) throw new Error(verification.errorMessage);
  return verification.subscription;
}

@Controller('db')
class DbController {
  constructor(private readonly logup: LogupService) {}

  @Post()
  async update(@Body() body: { logupToken: string; data: LogupDb }) {
    const subscription = await subscriptionFor(this.logup, body.logupToken);
    return { db: await subscription.updateDb(body.data) };
  }
}

@Resolver()
class DbResolver {
  constructor(private readonly logup: LogupService) {}

  @Query(() => String)
  ping() {
    return 'pong';
  }

  @Mutation(() => String)
  async updateDb(@Args('logupToken') logupToken: string, @Args('data') data: string) {
    const subscription = await subscriptionFor(this.logup, logupToken);
    return JSON.stringify(await subscription.updateDb(JSON.parse(data) as LogupDb));
  }
}

export type Platform = 'express' | 'fastify' | 'graphql';

/** The app on 127.0.0.1 port 0: REST on Express or Fastify, or Apollo on Express. */
export async function routeErrorsApp(
  emu: LogupEmulator,
  platform: Platform,
  options: Partial<LogupModuleOptions> = {},
): Promise<RunningApp> {
  const graphql = platform === 'graphql';
  @Module({
    imports: [
      LogupModule.forRoot({ ...GATE, baseUrl: emu.url, retry: { retries: 0 }, ...options }),
      ...(graphql ? [GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true })] : []),
    ],
    controllers: graphql ? [] : [DbController],
    providers: graphql ? [DbResolver] : [],
  })
  class AppModule {}
  return startNestApp(AppModule, { platform: platform === 'fastify' ? 'fastify' : 'express' });
}
