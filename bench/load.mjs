// The bench's settings and its load generator: raw HTTP over one keep-alive agent (the
// "direct" baseline), the runner that measures an operation at a concurrency, and the
// processes it measures against (the emulator, bench/app.mjs), each of its own.
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loopbackUrl, startReady } from '../scripts/lib/processes.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const GATE = { idGate: 'gate_bench', secret: 'bench-secret-not-for-production' };
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
export const OPS = Number(process.env.BENCH_OPS ?? 3000);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
export const MAX_SOCKETS = 32;

// ---------------------------------------------------------------- processes
async function startNode(name, args, env) {
  const proc = await startReady(process.execPath, args, /listening on (http:\/\/\S+)/, {
    name,
    cwd: ROOT,
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    timeoutMs: 60_000,
    intervalMs: 20,
  });
  return { url: loopbackUrl(proc.ready[1]), stop: () => proc.stop() };
}
export const startEmulatorProcess = () =>
  startNode('the emulator', [
    'packages/logup-emulator/dist/esm/cli.js',
    '--port',
    '0',
    '--quiet',
    '--gate',
    `${GATE.idGate}:${GATE.secret}`,
  ]);
export const startBenchApp = (emulatorUrl) =>
  startNode('the bench app', ['bench/app.mjs'], {
    LOGUP_ID_GATE: GATE.idGate,
    LOGUP_SECRET: GATE.secret,
    LOGUP_BASE_URL: emulatorUrl,
  });

// ---------------------------------------------------------------- raw HTTP (the "direct" baseline)
export const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
export function http(method, url, { body, headers = {} } = {}) {
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
export function statsOverOwnConnection(emulatorUrl) {
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
export async function measure(op, ops = OPS, concurrency = CONCURRENCY) {
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
export const round = (n) => Math.round(n * 100) / 100;

/** `count` fresh logupTokens for `email`, minted in batches. */
export async function tokens(emulator, count, email) {
  const out = [];
  while (out.length < count) {
    const batch = await emulator.logins({ idGate: GATE.idGate, email, count: Math.min(10_000, count - out.length) });
    out.push(...batch.logupTokens);
  }
  return out;
}
