// The bench's checks beside the comparisons: memory over many verifications, a cold
// start under concurrent callbacks, and the TCP connections the library opens.
import { NestFactory } from '@nestjs/core';
import { LogupModule, LogupService } from 'nestjs-logup';
import {
  CONCURRENCY,
  GATE,
  MAX_SOCKETS,
  http,
  measure,
  round,
  startBenchApp,
  statsOverOwnConnection,
  tokens,
} from './load.mjs';

/** Memory: RSS after warm-up, then after 50,000 verifications. */
export async function memoryCheck({ emulator, logup }) {
  const rss = () => {
    globalThis.gc?.();
    return process.memoryUsage();
  };
  const before = rss();
  for (let done = 0; done < 50_000; done += 10_000) {
    const batch = await tokens(emulator, 10_000, 'memory@bench.example');
    const run = await measure(async (i) => (await logup.verify(batch[i], false)).verified, 10_000);
    if (run.errors) throw new Error(`memory run: ${run.errors} errors`);
  }
  const after = rss();
  const mb = (n) => round(n / 2 ** 20);
  const memory = {
    verifications: 50_000,
    rssGrowthMB: mb(after.rss - before.rss),
    heapGrowthMB: mb(after.heapUsed - before.heapUsed),
    target: 'rss growth < 20 MB',
  };
  memory.met = memory.rssGrowthMB < 20;
  return memory;
}

/** Cold start: 200 concurrent callbacks on a fresh app (empty token cache). */
export async function coldStartCheck({ emu, emulator }) {
  const benchApp = await startBenchApp(emu.url);
  try {
    const cold = await tokens(emulator, 200, 'cold@bench.example');
    const grantsBefore = (await emulator.stats()).tokenGrants;
    const coldRun = await measure(
      async (i) =>
        (await http('GET', `${benchApp.url}/logup/callback?logupToken=${cold[i]}&isNewUser=true`)).status === 200,
      200,
      200,
    );
    const coldStart = {
      callbacks: 200,
      tokenGrants: (await emulator.stats()).tokenGrants - grantsBefore,
      errors: coldRun.errors,
      target: 'tokenGrants 1, errors 0',
    };
    coldStart.met = coldStart.tokenGrants === 1 && coldRun.errors === 0;
    return coldStart;
  } finally {
    await benchApp.stop();
  }
}

/** TCP connections opened for 10,000 calls, 16 at a time. */
export async function connectionsCheck({ emu, sub }) {
  const fresh = await NestFactory.createApplicationContext(
    LogupModule.forRoot({ ...GATE, baseUrl: emu.url, maxSockets: MAX_SOCKETS }),
    { logger: ['error', 'warn'] },
  );
  const connectionsBefore = (await statsOverOwnConnection(emu.url)).connections;
  const seq = fresh.get(LogupService).subscription(sub.idSubscription);
  await measure(async () => (await seq.getDb()).country === 'italy', 10_000, CONCURRENCY);
  // The second stats call opened one connection of its own.
  const opened = (await statsOverOwnConnection(emu.url)).connections - connectionsBefore - 1;
  await fresh.close();
  return { calls: 10_000, opened, target: `<= ${MAX_SOCKETS}`, met: opened <= MAX_SOCKETS };
}
