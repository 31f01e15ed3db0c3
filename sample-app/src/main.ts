import 'reflect-metadata';
import { ConfigService } from '@nestjs/config';
import { createSampleApp, type SampleAdapter } from './app.factory.js';
import { SampleConfigError } from './sample.config.js';

async function main(): Promise<void> {
  const adapter = (process.env.ADAPTER === 'fastify' ? 'fastify' : 'express') satisfies SampleAdapter;
  const app = await createSampleApp({ adapter });
  app.enableShutdownHooks();
  const config = app.get(ConfigService);
  await app.listen(config.getOrThrow<number>('port'), config.getOrThrow<string>('host'));
  const url = (await app.getUrl()).replace('127.0.0.1', 'localhost').replace('[::1]', 'localhost');
  process.stdout.write(`\nLogUp sample app (${adapter}) is running: open ${url}\n\n`);
}

main().catch((error: unknown) => {
  if (error instanceof SampleConfigError || (error instanceof Error && error.name.startsWith('Logup'))) {
    process.stderr.write(`Cannot start the sample app: ${error.message}\n`);
  } else {
    process.stderr.write(`Cannot start the sample app: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});
