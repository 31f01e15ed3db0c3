// npm run bench: what nestjs-logup costs on top of calling LogUp (the emulator) directly.
// The emulator and the bench app (bench/app.mjs) each run in their own process, as in
// production; this process runs the load generator and, for the library rows,
// LogupService itself. Each comparison runs its rows interleaved (A, B, A, B, ...) for
// BENCH_ROUNDS rounds and keeps every round: the report (bench/report.mjs) gives each
// ratio's median and spread, and calls a target met only when every round meets it.
// Prints the tables; writes bench/results.json (BENCH_CONDITIONS: a note on the machine's load).
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { EmulatorClient } from 'logup-emulator';
import { LogupModule, LogupService } from 'nestjs-logup';
import { benchmarkTables } from './report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GATE = { idGate: 'gate_bench', secret: 'bench-secret-not-for-production' };
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const OPS = Number(process.env.BENCH_OPS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MAX_SOCKETS = 32;

// ---------------------------------------------------------------- processes
function run(args, env, ready) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const match = ready.exec(output);
      if (match) {
        clearInterval(timer);
        resolve({
          child,
          url: match[1].replace('localhost', '127.0.0.1'),
          stop: () =>
            new Promise((r) => {
              child.once('exit', r);
              child.kill('SIGTERM');
            }),
        });
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`${args.join(' ')} exited:\n${output}`));
      }
    }, 20);
  });
}
const startEmulatorProcess = () =>
  run(
    ['packages/logup-emulator/dist/esm/cli.js', '--port', '0', '--quiet', '--gate', `${GATE.idGate}:${GATE.secret}`],
    {},
    /listening on (http:\/\/\S+)/,
  );
const startBenchApp = (emulatorUrl) =>
  run(
    ['bench/app.mjs'],
    { LOGUP_ID_GATE: GATE.idGate, LOGUP_SECRET: GATE.secret, LOGUP_BASE_URL: emulatorUrl },
    /listening on (http:\/\/\S+)/,
  );

// ---------------------------------------------------------------- raw HTTP (the "direct" baseline)
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function http(method, url, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          accept: 'application/json',
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            body: text ? (res.headers['content-type']?.includes('json') ? JSON.parse(text) : text) : undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Emulator stats over a connection of its own (exactly one new connection per call). */
function statsOverOwnConnection(emulatorUrl) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${emulatorUrl}/__emulator/stats`,
      { agent: false, headers: { connection: 'close' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(JSON.parse(text)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------- load generator
async function measure(op, ops = OPS, concurrency = CONCURRENCY) {
  const latencies = new Float64Array(ops);
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < ops; i = next++) {
        const t0 = performance.now();
        try {
          if (!(await op(i))) errors++;
        } catch {
          errors++;
        }
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  const pct = (p) => latencies[Math.min(ops - 1, Math.floor((p / 100) * ops))];
  return {
    ops,
    errors,
    seconds: round(seconds),
    throughput: Math.round(ops / seconds),
    p50Ms: round(pct(50)),
    p99Ms: round(pct(99)),
  };
}
const round = (n) => Math.round(n * 100) / 100;

async function tokens(emulator, count, email) {
  const out = [];
  while (out.length < count) {
    const batch = await emulator.logins({ idGate: GATE.idGate, email, count: Math.min(10_000, count - out.length) });
    out.push(...batch.logupTokens);
  }
  return out;
}

// ---------------------------------------------------------------- comparisons
const rows = {};
const comparisons = [];
/**
 * Runs the two rows of a comparison in turn, ROUNDS times (A, B, A, B, ...), each on
 * freshly prepared input, and keeps every round; `label` and `target` name it in the report.
 */
async function compare(concurrency, entries, { label, target }) {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, prepare] of entries) {
      const op = await prepare(OPS);
      const run = await measure(op, OPS, concurrency);
      if (run.errors) throw new Error(`${name}: ${run.errors} errors`);
      (rows[name] ??= { rounds: [] }).rounds.push(run);
    }
  }
  comparisons.push({ label, baseline: entries[0][0], subject: entries[1][0], target });
}

// ---------------------------------------------------------------- main
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
  comparisons,
  rows,
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
  benchApp = await startBenchApp(emu.url);

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

  const verifyDirect = async (n) => {
    const pool = await tokens(emulator, n, 'direct@bench.example');
    return async (i) =>
      (await http('POST', `${emu.url}/v1_1/verification`, { body: { logupToken: pool[i] }, headers: bearer })).body
        .verified === true;
  };
  const verifyLibrary = async (n) => {
    const pool = await tokens(emulator, n, 'library@bench.example');
    return async (i) => (await logup.verify(pool[i], true)).verified;
  };
  const route = (path) => async (n) => {
    const pool = await tokens(emulator, n, `${path.replace(/\W/g, '')}@bench.example`);
    return async (i) =>
      (await http('GET', `${benchApp.url}${path}?logupToken=${pool[i]}&isNewUser=true`)).status === 200;
  };
  // Reads rotate over 64 subscriptions, so no two reads in flight are identical: the
  // library would share those (one LogUp call), which is not what this row measures.
  const readers = [];
  for (let i = 0; i < 64; i++) {
    const login = await emulator.login({
      idGate: GATE.idGate,
      email: `read${i}@bench.example`,
      db: { country: 'italy' },
    });
    readers.push({
      url: `${emu.url}/v1_1/subscription/${login.idSubscription}/db`,
      sub: logup.subscription(login.idSubscription),
    });
  }
  const dbRead = {
    direct: async () => async (i) => (await http('GET', readers[i % 64].url, { headers: bearer })).status === 200,
    library: async () => async (i) => (await readers[i % 64].sub.getDb()).country === 'italy',
  };
  const dbUpdate = {
    direct: async () => async (i) =>
      (await http('PUT', dbUrl, { headers: bearer, body: { data: [{ key: 'age', value: i }] } })).status === 200,
    library: async () => async (i) => (await subscription.updateDb({ age: i })).age === i,
  };

  for (const [label, concurrency, target] of [
    ['sequential', 1, 0.9],
    [`${CONCURRENCY} concurrent`, CONCURRENCY, 0.75],
  ]) {
    await compare(
      concurrency,
      [
        [`verification ${label}, direct`, verifyDirect],
        [`verification ${label}, LogupService.verify`, verifyLibrary],
      ],
      { label: `verification, ${label}: \`LogupService.verify\` vs direct`, target },
    );
    await compare(
      concurrency,
      [
        [`db read ${label}, direct`, dbRead.direct],
        [`db read ${label}, library`, dbRead.library],
      ],
      { label: `DB read, ${label}: \`getDb\` vs direct`, target },
    );
    await compare(
      concurrency,
      [
        [`db update ${label}, direct`, dbUpdate.direct],
        [`db update ${label}, library`, dbUpdate.library],
      ],
      { label: `DB update, ${label}: \`updateDb\` vs direct`, target },
    );
  }
  await compare(
    CONCURRENCY,
    [
      [`callback route ${CONCURRENCY} concurrent, hand-written`, route('/raw/callback')],
      [`callback route ${CONCURRENCY} concurrent, LogupGuard`, route('/logup/callback')],
    ],
    { label: `callback route, ${CONCURRENCY} concurrent: \`LogupGuard\` vs hand-written`, target: 0.9 },
  );
  await benchApp.stop();
  benchApp = undefined;

  // Memory: RSS after warm-up, then after 50,000 verifications.
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
  results.checks.memory = {
    verifications: 50_000,
    rssGrowthMB: mb(after.rss - before.rss),
    heapGrowthMB: mb(after.heapUsed - before.heapUsed),
    target: 'rss growth < 20 MB',
  };
  results.checks.memory.met = results.checks.memory.rssGrowthMB < 20;

  // Cold start: 200 concurrent callbacks on a fresh app (empty token cache).
  benchApp = await startBenchApp(emu.url);
  const cold = await tokens(emulator, 200, 'cold@bench.example');
  const grantsBefore = (await emulator.stats()).tokenGrants;
  const coldRun = await measure(
    async (i) =>
      (await http('GET', `${benchApp.url}/logup/callback?logupToken=${cold[i]}&isNewUser=true`)).status === 200,
    200,
    200,
  );
  results.checks.coldStart = {
    callbacks: 200,
    tokenGrants: (await emulator.stats()).tokenGrants - grantsBefore,
    errors: coldRun.errors,
    target: 'tokenGrants 1, errors 0',
  };
  results.checks.coldStart.met = results.checks.coldStart.tokenGrants === 1 && coldRun.errors === 0;
  await benchApp.stop();
  benchApp = undefined;

  // TCP connections opened for 10,000 calls, 16 at a time.
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
  results.checks.connections = { calls: 10_000, opened, target: `<= ${MAX_SOCKETS}`, met: opened <= MAX_SOCKETS };
} finally {
  await benchApp?.stop();
  await app.close();
  agent.destroy();
  await emu.stop();
}

// ---------------------------------------------------------------- report
process.stdout.write(`${benchmarkTables(results)}\n`);
writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(
  '\nwritten: bench/results.json (publish: cp it to bench/published-results.json; node bench/table.mjs)\n',
);
