// Starts and stops a local multi-replica deployment of the sample app:
// redis-server, one LogUp emulator, N replicas (node sample-app/dist/main.js) and
// nginx in front, each on a free loopback port, with every file in one temporary
// directory. Used by scripts/cluster.mjs (npm run cluster) and test/cluster.
// Each service is started by scripts/lib/cluster-services.mjs.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLUSTER_GATE,
  EMULATOR_CLI,
  HOST,
  SAMPLE_MAIN,
  findProgram,
  redisService,
  startEmulatorService,
  startNginx,
  startReplica,
} from './lib/cluster-services.mjs';
import { freePort } from './lib/processes.mjs';

export { CLUSTER_GATE, findProgram };

/** Fails with one clear line when redis-server, nginx or a build is missing. */
export function checkPrerequisites() {
  const missing = [];
  if (!findProgram('redis-server')) missing.push('redis-server (Debian: apt-get install -y redis-server)');
  if (!findProgram('nginx')) missing.push('nginx (Debian: apt-get install -y nginx)');
  if (!existsSync(SAMPLE_MAIN) || !existsSync(EMULATOR_CLI)) missing.push('the build (run npm run build)');
  if (missing.length > 0)
    throw new Error(`The cluster needs ${missing.join(', ')}; scripts/ci-services.sh installs the programs.`);
}

/**
 * Starts the whole set. Options: `replicas` (default 3), `adapter` (`express` or
 * `fastify`), `port` (nginx's; default a free one), `callbackRateLimit` (per client
 * address per minute, default 30), `echo` (print every process's output), `env`
 * (extra environment for the replicas).
 */
export async function startCluster(options = {}) {
  checkPrerequisites();
  const dir = await mkdtemp(join(tmpdir(), 'logup-cluster-'));
  const processes = [];
  const stopAll = async () => {
    // nginx first (no new requests), then the replicas, the emulator, Redis.
    for (const p of [...processes].reverse()) await p.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    return await startServices(options, dir, processes, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Starts Redis, the emulator, the replicas and nginx, in that order, adding each to `processes`. */
async function startServices(options, dir, processes, stopAll) {
  const redisPort = await freePort();
  const startRedis = await redisService(dir, redisPort, options.echo);
  let redis = await startRedis();
  processes.push(redis);

  const nginxPort = options.port ?? (await freePort());
  const siteUrl = `http://${HOST}:${nginxPort}`;
  const emulatorPort = await freePort();
  const emulatorUrl = `http://${HOST}:${emulatorPort}`;
  const emulator = await startEmulatorService(emulatorPort, siteUrl, options.echo);
  processes.push(emulator);

  // The replicas: the same settings (and SESSION_SECRET) each, their own port and REPLICA_ID.
  const redisUrl = `redis://${HOST}:${redisPort}`;
  const shared = { options, dir, redisUrl, siteUrl, emulatorUrl, sessionSecret: randomBytes(32).toString('hex') };
  const replicas = [];
  for (let i = 1; i <= (options.replicas ?? 3); i += 1) {
    const replica = await startReplica(shared, `r${i}`, await freePort());
    replicas.push(replica);
    processes.push(replica);
  }
  const nginx = await startNginx(dir, nginxPort, replicas, options.echo);
  processes.push(nginx);

  return {
    url: siteUrl,
    emulatorUrl,
    redisUrl,
    dir,
    replicas,
    nginx,
    emulator,
    /** Stops Redis (SIGTERM: it saves its data first). */
    stopRedis: () => redis.stop(),
    /** Starts Redis again on the same port, with the data it saved. */
    async startRedis() {
      const index = processes.indexOf(redis);
      redis = await startRedis();
      processes[index] = redis;
    },
    /** Freezes (SIGSTOP) or thaws (SIGCONT) Redis: connected, but answering nothing. */
    pauseRedis: (paused) => redis.child.kill(paused ? 'SIGSTOP' : 'SIGCONT'),
    /** nginx's error log (what it did when a replica failed). */
    nginxErrors: nginx.errors,
    /** Everything every process printed, for a failing test's message. */
    output: () => processes.map((p) => `--- ${p.name}\n${p.output()}`).join('\n'),
    stop: stopAll,
  };
}
