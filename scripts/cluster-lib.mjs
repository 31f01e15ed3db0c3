// Starts and stops a local multi-replica deployment of the sample app:
// redis-server, one LogUp emulator, N replicas (node sample-app/dist/main.js) and
// nginx in front, each on a free loopback port, with every file in one temporary
// directory. Used by scripts/cluster.mjs (npm run cluster) and test/cluster.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearTimeout, setTimeout } from 'node:timers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLE_MAIN = join(ROOT, 'sample-app', 'dist', 'main.js');
const EMULATOR_CLI = join(ROOT, 'packages', 'logup-emulator', 'dist', 'esm', 'cli.js');
const NGINX_TEMPLATE = join(ROOT, 'deploy', 'nginx.conf.template');
const HOST = '127.0.0.1';

/** The gate the cluster's emulator serves and the replicas use. */
export const CLUSTER_GATE = { idGate: 'gate_cluster', secret: 'secret_cluster_0123456789' };

/** Where a program is, or undefined (also looks in sbin: nginx lives in /usr/sbin). */
export function findProgram(name) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Fails with one clear line when redis-server, nginx or a build is missing. */
export function checkPrerequisites() {
  const missing = [];
  if (!findProgram('redis-server')) missing.push('redis-server (Debian: apt-get install -y redis-server)');
  if (!findProgram('nginx')) missing.push('nginx (Debian: apt-get install -y nginx)');
  if (!existsSync(SAMPLE_MAIN) || !existsSync(EMULATOR_CLI)) missing.push('the build (run npm run build)');
  if (missing.length > 0)
    throw new Error(`The cluster needs ${missing.join(', ')}; scripts/ci-services.sh installs the programs.`);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, check, { timeoutMs = 30_000, child, output } = {}) {
  const started = Date.now();
  for (;;) {
    if (child && child.exitCode !== null)
      throw new Error(`${what} exited with ${child.exitCode}:\n${output?.() ?? ''}`);
    if (await check().catch(() => false)) return;
    if (Date.now() - started > timeoutMs)
      throw new Error(`${what} did not start within ${timeoutMs} ms:\n${output?.() ?? ''}`);
    await sleep(50);
  }
}

/** Whether something accepts TCP connections on the port. */
function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, HOST);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A child process whose output is kept (and optionally echoed with a prefix). */
function run(name, command, args, { env, echo, cwd } = {}) {
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (chunk) => {
    output += chunk.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    if (echo) for (const line of chunk.toString().split('\n')) if (line) process.stdout.write(`[${name}] ${line}\n`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    /** Signals the process (SIGTERM by default) and waits for it, SIGKILL after `graceMs`. */
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    exited,
  };
}

/**
 * Starts the whole set. Options: `replicas` (default 3), `adapter` (`express` or
 * `fastify`), `port` (nginx's; default a free one), `callbackRateLimit` (per client
 * address per minute, default 30), `echo` (print every process's output), `env`
 * (extra environment for the replicas).
 */
export async function startCluster(options = {}) {
  checkPrerequisites();
  const replicaCount = options.replicas ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'logup-cluster-'));
  const processes = [];
  const stopAll = async () => {
    // nginx first (no new requests), then the replicas, the emulator, Redis.
    for (const p of [...processes].reverse()) await p.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    // Redis: its own config, data directory and port; one save point so a restart
    // (SIGTERM saves, start loads) keeps the sessions, as a real deployment would.
    const redisPort = await freePort();
    const redisDir = join(dir, 'redis');
    await mkdir(redisDir);
    const redisConf = join(redisDir, 'redis.conf');
    await writeFile(
      redisConf,
      [
        `bind ${HOST}`,
        `port ${redisPort}`,
        'protected-mode yes',
        `dir ${redisDir}`,
        'daemonize no',
        'logfile ""',
        'save 3600 1',
        'appendonly no',
        'maxmemory 64mb',
        'maxmemory-policy noeviction',
        '',
      ].join('\n'),
    );
    const startRedis = async () => {
      const redis = run('redis', findProgram('redis-server'), [redisConf], { echo: options.echo });
      await waitFor('redis-server', () => accepts(redisPort), { child: redis.child, output: redis.output });
      return redis;
    };
    let redis = await startRedis();
    processes.push(redis);

    // The emulator: one LogUp for every replica; its gate sends visitors back through nginx.
    const nginxPort = options.port ?? (await freePort());
    const siteUrl = `http://${HOST}:${nginxPort}`;
    const emulatorPort = await freePort();
    const emulatorUrl = `http://${HOST}:${emulatorPort}`;
    const emulator = run(
      'emulator',
      process.execPath,
      [
        EMULATOR_CLI,
        '--port',
        String(emulatorPort),
        '--gate',
        `${CLUSTER_GATE.idGate}:${CLUSTER_GATE.secret}`,
        '--redirect',
        `${CLUSTER_GATE.idGate}=${siteUrl}/logup/callback`,
        '--quiet',
      ],
      { echo: options.echo },
    );
    processes.push(emulator);
    await waitFor('the LogUp emulator', () => accepts(emulatorPort), {
      child: emulator.child,
      output: emulator.output,
    });

    // The replicas: the same settings (and SESSION_SECRET) each, their own port and REPLICA_ID.
    const sessionSecret = randomBytes(32).toString('hex');
    const replicaEnv = (id, port) => ({
      PATH: process.env.PATH,
      NO_COLOR: '1',
      ADAPTER: options.adapter ?? 'express',
      HOST,
      PORT: String(port),
      REPLICA_ID: id,
      // Each replica's own profile file (a multi-replica app would use a database server).
      DATA_DIR: join(dir, 'data', id),
      REDIS_URL: `redis://${HOST}:${redisPort}`,
      // Trust X-Forwarded-* from nginx only (it connects from 127.0.0.1).
      TRUST_PROXY: HOST,
      PUBLIC_URL: siteUrl,
      SESSION_SECRET: sessionSecret,
      LOGUP_ID_GATE: CLUSTER_GATE.idGate,
      LOGUP_SECRET: CLUSTER_GATE.secret,
      LOGUP_BASE_URL: emulatorUrl,
      LOGUP_LOGIN_URL: `${emulatorUrl}/login?gate=${CLUSTER_GATE.idGate}`,
      CALLBACK_RATE_LIMIT: String(options.callbackRateLimit ?? 30),
      ...options.env,
    });
    const replicas = [];
    const startReplica = async (id, port) => {
      const replica = run(id, process.execPath, [SAMPLE_MAIN], { env: replicaEnv(id, port), echo: options.echo });
      await waitFor(`replica ${id}`, async () => /is running: open/.test(replica.output()), {
        child: replica.child,
        output: replica.output,
      });
      return { id, port, url: `http://${HOST}:${port}`, ...replica };
    };
    for (let i = 1; i <= replicaCount; i += 1) {
      const replica = await startReplica(`r${i}`, await freePort());
      replicas.push(replica);
      processes.push(replica);
    }

    // nginx: the template from deploy/, rendered into the temporary prefix.
    const nginxDir = join(dir, 'nginx');
    await mkdir(nginxDir);
    const template = await readFile(NGINX_TEMPLATE, 'utf8');
    const conf = template
      .replaceAll('{{PREFIX}}', nginxDir)
      .replaceAll('{{LISTEN}}', `${HOST}:${nginxPort}`)
      .replaceAll(
        '{{UPSTREAM_SERVERS}}',
        replicas.map((r) => `server ${HOST}:${r.port} max_fails=1 fail_timeout=5s;`).join('\n    '),
      );
    const nginxConf = join(nginxDir, 'nginx.conf');
    await writeFile(nginxConf, conf);
    const nginxBin = findProgram('nginx');
    const nginxArgs = ['-p', nginxDir, '-c', nginxConf, '-e', join(nginxDir, 'error.log')];
    const test = spawnSync(nginxBin, [...nginxArgs, '-t'], { encoding: 'utf8' });
    if (test.status !== 0) throw new Error(`nginx refused its configuration:\n${test.stderr}`);
    const nginx = run('nginx', nginxBin, [...nginxArgs, '-g', 'daemon off;'], { echo: options.echo });
    processes.push(nginx);
    await waitFor('nginx', () => accepts(nginxPort), { child: nginx.child, output: nginx.output });

    return {
      url: siteUrl,
      emulatorUrl,
      redisUrl: `redis://${HOST}:${redisPort}`,
      dir,
      replicas,
      nginx,
      emulator,
      /** Stops Redis (SIGTERM: it saves its data first). */
      async stopRedis() {
        await redis.stop();
      },
      /** Starts Redis again on the same port, with the data it saved. */
      async startRedis() {
        const index = processes.indexOf(redis);
        redis = await startRedis();
        processes[index] = redis;
      },
      /** Freezes (SIGSTOP) or thaws (SIGCONT) Redis: connected, but answering nothing. */
      pauseRedis(paused) {
        redis.child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
      },
      /** nginx's error log (what it did when a replica failed). */
      nginxErrors: () => readFile(join(nginxDir, 'error.log'), 'utf8').catch(() => ''),
      /** Everything every process printed, for a failing test's message. */
      output: () => processes.map((p) => `--- ${p.name}\n${p.output()}`).join('\n'),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
