// npm run bench: what nestjs-logup costs on top of calling LogUp (the emulator) directly.
// Emulator and sample app each run in their own process, as in production; this
// process runs the load generator and, for the library rows, LogupService itself.
// One closed-loop generator (fixed concurrency, fixed operation count) drives every
// row, so the ratios compare like with like. Prints a table; writes bench/results.json.
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

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GATE = { idGate: 'gate_bench', secret: 'bench-secret-not-for-production' };
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const OPS = Number(process.env.BENCH_OPS ?? 20_000);
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
const startSampleProcess = (emulatorUrl) =>
  run(
    ['sample-app/dist/main.js'],
    {
      PORT: '0',
      LOGUP_ID_GATE: GATE.idGate,
      LOGUP_SECRET: GATE.secret,
      LOGUP_BASE_URL: emulatorUrl,
      LOGUP_LOGIN_URL: `${emulatorUrl}/login`,
      SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
      CALLBACK_RATE_LIMIT: '1000000',
    },
    /is running: open (http:\/\/\S+)/,
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

// ---------------------------------------------------------------- main
const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  concurrency: CONCURRENCY,
  ops: OPS,
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
let sample;
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

  // Warm up both clients and the JIT.
  for (let i = 0; i < 2000; i++) {
    await http('GET', dbUrl, { headers: bearer });
    await subscription.getDb();
  }

  // 1. memory: RSS after warm-up, then after 50,000 verifications (measured first, on a clean heap)
  const rss = () => {
    globalThis.gc?.();
    return process.memoryUsage();
  };
  const warmTokens = await tokens(emulator, 5000, 'memory@bench.example');
  await measure(async (i) => (await logup.verify(warmTokens[i], false)).verified, 5000);
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
    rssBeforeMB: mb(before.rss),
    rssAfterMB: mb(after.rss),
    rssGrowthMB: mb(after.rss - before.rss),
    heapGrowthMB: mb(after.heapUsed - before.heapUsed),
    gcExposed: Boolean(globalThis.gc),
    target: 'rss growth < 20 MB',
  };
  results.checks.memory.met = results.checks.memory.rssGrowthMB < 20;
  // 2. verification: direct vs LogupService.verify vs the sample app's guarded callback
  let pool = await tokens(emulator, OPS, 'direct@bench.example');
  results.rows['verification, direct'] = await measure(
    async (i) =>
      (await http('POST', `${emu.url}/v1_1/verification`, { body: { logupToken: pool[i] }, headers: bearer })).body
        .verified === true,
  );
  pool = await tokens(emulator, OPS, 'library@bench.example');
  results.rows['verification, LogupService.verify'] = await measure(
    async (i) => (await logup.verify(pool[i], true)).verified,
  );
  sample = await startSampleProcess(emu.url);
  const warm = await tokens(emulator, 2000, 'warm@bench.example');
  await measure(
    async (i) =>
      (await http('GET', `${sample.url}/logup/callback?logupToken=${warm[i]}&isNewUser=true`)).status === 303,
    2000,
  );
  pool = await tokens(emulator, OPS, 'route@bench.example');
  results.rows['verification, guarded route'] = await measure(
    async (i) =>
      (await http('GET', `${sample.url}/logup/callback?logupToken=${pool[i]}&isNewUser=true`)).status === 303,
  );
  await sample.stop();
  sample = undefined;
  pool = undefined;

  // 3. the same with a realistic LogUp round trip (20 ms added by the emulator to each call)
  const LATENCY_OPS = 4000;
  for (const [name, op] of [
    [
      'verification +20ms RTT, direct',
      (t) => async (i) =>
        (await http('POST', `${emu.url}/v1_1/verification`, { body: { logupToken: t[i] }, headers: bearer })).body
          .verified === true,
    ],
    ['verification +20ms RTT, library', (t) => async (i) => (await logup.verify(t[i], true)).verified],
  ]) {
    const t = await tokens(emulator, LATENCY_OPS, `latency-${Object.keys(results.rows).length}@bench.example`);
    await emulator.fault({ kind: 'latency', endpoint: 'verification', latencyMs: 20, count: LATENCY_OPS });
    results.rows[name] = await measure(op(t), LATENCY_OPS);
    await emulator.clearFaults();
  }

  // 4. DB read and update: direct vs library
  results.rows['db read, direct'] = await measure(
    async () => (await http('GET', dbUrl, { headers: bearer })).status === 200,
  );
  results.rows['db read, library'] = await measure(async () => (await subscription.getDb()).country === 'italy');
  results.rows['db update, direct'] = await measure(
    async (i) =>
      (await http('PUT', dbUrl, { headers: bearer, body: { data: [{ key: 'age', value: i }] } })).status === 200,
  );
  results.rows['db update, library'] = await measure(async (i) => (await subscription.updateDb({ age: i })).age === i);

  // 5. cold start: 200 concurrent callbacks on a fresh sample app (empty token cache)
  sample = await startSampleProcess(emu.url);
  const cold = await tokens(emulator, 200, 'cold@bench.example');
  const grantsBefore = (await emulator.stats()).tokenGrants;
  const coldRun = await measure(
    async (i) =>
      (await http('GET', `${sample.url}/logup/callback?logupToken=${cold[i]}&isNewUser=true`)).status === 303,
    200,
    200,
  );
  results.checks.coldStart = {
    callbacks: 200,
    tokenGrants: (await emulator.stats()).tokenGrants - grantsBefore,
    errors: coldRun.errors,
    p99Ms: coldRun.p99Ms,
    target: 'tokenGrants 1, errors 0',
  };
  results.checks.coldStart.met = results.checks.coldStart.tokenGrants === 1 && coldRun.errors === 0;
  await sample.stop();
  sample = undefined;

  // 6. TCP connections opened for 10,000 sequential library calls
  const fresh = await NestFactory.createApplicationContext(
    LogupModule.forRoot({ ...GATE, baseUrl: emu.url, maxSockets: MAX_SOCKETS }),
    { logger: ['error', 'warn'] },
  );
  const connectionsBefore = (await statsOverOwnConnection(emu.url)).connections;
  const seq = fresh.get(LogupService).subscription(sub.idSubscription);
  for (let i = 0; i < 10_000; i++) await seq.getDb();
  // The second stats call opened one connection of its own.
  const opened = (await statsOverOwnConnection(emu.url)).connections - connectionsBefore - 1;
  await fresh.close();
  results.checks.connections = {
    calls: 10_000,
    opened,
    poolSize: MAX_SOCKETS,
    target: `<= ${MAX_SOCKETS}`,
    met: opened <= MAX_SOCKETS,
  };
} finally {
  await sample?.stop();
  await app.close();
  agent.destroy();
  await emu.stop();
}

// ---------------------------------------------------------------- report
const r = results.rows;
const ratio = (a, b) => round(r[a].throughput / r[b].throughput);
results.ratios = {
  'LogupService.verify / direct': {
    value: ratio('verification, LogupService.verify', 'verification, direct'),
    target: '>= 0.90',
  },
  'guarded route / direct': { value: ratio('verification, guarded route', 'verification, direct'), target: '>= 0.75' },
  'library / direct, 20 ms RTT': {
    value: ratio('verification +20ms RTT, library', 'verification +20ms RTT, direct'),
    target: '>= 0.90',
  },
  'db read library / direct': { value: ratio('db read, library', 'db read, direct'), target: '>= 0.90' },
  'db update library / direct': { value: ratio('db update, library', 'db update, direct'), target: '>= 0.90' },
};
for (const entry of Object.values(results.ratios)) entry.met = entry.value >= Number(entry.target.slice(3));

const pad = (s, n) => String(s).padEnd(n);
const lines = [
  `nestjs-logup benchmark: ${results.machine.cpus} x ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}; concurrency ${CONCURRENCY}, ${OPS} operations a row`,
  '',
  `${pad('row', 38)}${pad('ops/s', 10)}${pad('p50 ms', 10)}${pad('p99 ms', 10)}errors`,
  ...Object.entries(r).map(
    ([name, row]) =>
      `${pad(name, 38)}${pad(row.throughput, 10)}${pad(row.p50Ms, 10)}${pad(row.p99Ms, 10)}${row.errors}`,
  ),
  '',
  ...Object.entries(results.ratios).map(
    ([name, e]) => `${pad(name, 38)}${pad(e.value, 10)}target ${e.target}  ${e.met ? 'met' : 'MISSED'}`,
  ),
  `${pad('cold start, 200 callbacks', 36)}${pad(`${results.checks.coldStart.tokenGrants} grant(s), ${results.checks.coldStart.errors} errors`, 30)}${results.checks.coldStart.met ? 'met' : 'MISSED'}`,
  `${pad('TCP connections, 10,000 calls', 36)}${pad(results.checks.connections.opened, 30)}${results.checks.connections.met ? 'met' : 'MISSED'}`,
  `${pad('RSS growth, 50,000 verifications', 36)}${pad(`${results.checks.memory.rssGrowthMB} MB (heap ${results.checks.memory.heapGrowthMB} MB)`, 30)}${results.checks.memory.met ? 'met' : 'MISSED'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write('\nwritten: bench/results.json\n');
