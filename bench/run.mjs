// npm run bench: what nestjs-logup costs on top of calling LogUp (the emulator) directly.
// The emulator and the bench app (bench/app.mjs) each run in their own process, as in
// production; this process runs the load generator (bench/load.mjs) and, for the
// library rows, LogupService itself. Each comparison (bench/comparisons.mjs) runs its
// rows interleaved (A, B, A, B, ...) for BENCH_ROUNDS rounds and keeps every round: the
// report (bench/report.mjs) gives each ratio's median and spread, and calls a target met
// only when every round meets it. Then the checks (bench/checks.mjs).
// Prints the tables; writes bench/results.json (BENCH_CONDITIONS: a note on the machine's load).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { EmulatorClient } from 'logup-emulator';
import { LogupModule, LogupService } from 'nestjs-logup';
import { coldStartCheck, connectionsCheck, memoryCheck } from './checks.mjs';
import { runComparisons } from './comparisons.mjs';
import {
  CONCURRENCY,
  GATE,
  MAX_SOCKETS,
  OPS,
  ROOT,
  ROUNDS,
  agent,
  http,
  startBenchApp,
  startEmulatorProcess,
  tokens,
} from './load.mjs';
import { benchmarkTables } from './report.mjs';

/** The subscriptions and the bearer token of the direct rows, then every client and the JIT warmed up. */
async function prepare(emu, emulator, logup) {
  const grant = await http('POST', `${emu.url}/v1_1/oauth/token`, {
    body: { client_id: GATE.idGate, client_secret: GATE.secret, grant_type: 'client_credentials' },
  });
  const bearer = { authorization: `Bearer ${grant.body.access_token}` };
  const sub = await emulator.login({
    idGate: GATE.idGate,
    email: 'db@bench.example',
    db: { country: 'italy', age: 20 },
  });
  const subscription = logup.subscription(sub.idSubscription);
  const dbUrl = `${emu.url}/v1_1/subscription/${sub.idSubscription}/db`;
  const benchApp = await startBenchApp(emu.url);
  const bench = { emu, emulator, logup, bearer, sub, subscription, dbUrl, benchApp };

  // Warm up every client and the JIT.
  for (let i = 0; i < 2000; i++) {
    await http('GET', dbUrl, { headers: bearer });
    await subscription.getDb();
  }
  const warm = await tokens(emulator, 4000, 'warm@bench.example');
  for (let i = 0; i < 2000; i++) {
    await http('GET', `${benchApp.url}/logup/callback?logupToken=${warm[i]}&isNewUser=true`);
    await http('GET', `${benchApp.url}/raw/callback?logupToken=${warm[2000 + i]}&isNewUser=true`);
  }
  return bench;
}

const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  conditions: process.env.BENCH_CONDITIONS,
  concurrency: CONCURRENCY,
  opsPerRound: OPS,
  rounds: ROUNDS,
  comparisons: [],
  rows: {},
  checks: {},
};
const emu = await startEmulatorProcess();
const emulator = new EmulatorClient(emu.url);
const app = await NestFactory.createApplicationContext(
  LogupModule.forRoot({ ...GATE, baseUrl: emu.url, maxSockets: MAX_SOCKETS }),
  { logger: ['error', 'warn'] },
);
const logup = app.get(LogupService);
let benchApp;
try {
  const bench = await prepare(emu, emulator, logup);
  benchApp = bench.benchApp;
  await runComparisons(results, bench);
  await benchApp.stop();
  benchApp = undefined;
  results.checks.memory = await memoryCheck(bench);
  results.checks.coldStart = await coldStartCheck(bench);
  results.checks.connections = await connectionsCheck(bench);
} finally {
  await benchApp?.stop();
  await app.close();
  agent.destroy();
  await emu.stop();
}

process.stdout.write(`${benchmarkTables(results)}\n`);
writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(
  '\nwritten: bench/results.json (publish: cp it to bench/published-results.json; node bench/table.mjs)\n',
);
