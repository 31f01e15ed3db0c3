// The services of the local cluster (scripts/cluster-lib.mjs), one function each:
// redis-server, the LogUp emulator, a replica of the sample app, nginx. Each runs on
// loopback, keeps its files under the cluster's temporary directory, and is started
// and waited for through the shared process spawner.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accepts, startProcess } from './processes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLE_MAIN = join(ROOT, 'sample-app', 'dist', 'main.js');
export const EMULATOR_CLI = join(ROOT, 'packages', 'logup-emulator', 'dist', 'esm', 'cli.js');
const NGINX_TEMPLATE = join(ROOT, 'deploy', 'nginx.conf.template');
export const HOST = '127.0.0.1';
const READY = { timeoutMs: 30_000 };
// What a service keeps of its output (a replica under load prints a lot).
const OUTPUT_LIMIT = 2_000_000;

/** The gate the cluster's emulator serves and the replicas use. */
export const CLUSTER_GATE = { idGate: 'gate_cluster', secret: 'secret_cluster_0123456789' };

/** Where a program is, or undefined (also looks in sbin: nginx lives in /usr/sbin). */
export function findProgram(name) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** A service process, kept and optionally echoed, stopped with SIGKILL after 10 s of SIGTERM. */
function service(name, command, args, { env, echo }) {
  const proc = startProcess(command, args, { name, env, echo, outputLimit: OUTPUT_LIMIT });
  return { ...proc, stop: (signal = 'SIGTERM', graceMs = 10_000) => proc.stop(signal, { graceMs }) };
}

/**
 * Redis: its own config, data directory and port; one save point so a restart
 * (SIGTERM saves, start loads) keeps the sessions, as a real deployment would.
 * Answers how to start it (again, with the data it saved).
 */
export async function redisService(dir, port, echo) {
  const redisDir = join(dir, 'redis');
  await mkdir(redisDir);
  const conf = join(redisDir, 'redis.conf');
  const settings = [`bind ${HOST}`, `port ${port}`, 'protected-mode yes', `dir ${redisDir}`, 'daemonize no'];
  settings.push('logfile ""', 'save 3600 1', 'appendonly no', 'maxmemory 64mb', 'maxmemory-policy noeviction', '');
  await writeFile(conf, settings.join('\n'));
  return async () => {
    const redis = service('redis', findProgram('redis-server'), [conf], { echo });
    await redis.waitFor(() => accepts(port), { ...READY, what: 'redis-server' });
    return redis;
  };
}

/** The emulator: one LogUp for every replica; its gate sends visitors back to `siteUrl`. */
export async function startEmulatorService(port, siteUrl, echo) {
  const gate = `${CLUSTER_GATE.idGate}:${CLUSTER_GATE.secret}`;
  const redirect = `${CLUSTER_GATE.idGate}=${siteUrl}/logup/callback`;
  const args = [EMULATOR_CLI, '--port', String(port), '--gate', gate, '--redirect', redirect, '--quiet'];
  const emulator = service('emulator', process.execPath, args, { echo });
  await emulator.waitFor(() => accepts(port), { ...READY, what: 'the LogUp emulator' });
  return emulator;
}

/** A replica's environment: the cluster's settings (`shared`), its own port, REPLICA_ID and data directory. */
export function replicaEnv(shared, id, port) {
  const { options, dir, redisUrl, siteUrl, emulatorUrl, sessionSecret } = shared;
  return {
    PATH: process.env.PATH,
    NO_COLOR: '1',
    ADAPTER: options.adapter ?? 'express',
    HOST,
    PORT: String(port),
    REPLICA_ID: id,
    // Each replica's own profile file (a multi-replica app would use a database server).
    DATA_DIR: join(dir, 'data', id),
    REDIS_URL: redisUrl,
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
  };
}

/** One replica of the built sample app (see replicaEnv), ready once it says it is running. */
export async function startReplica(shared, id, port) {
  const replica = service(id, process.execPath, [SAMPLE_MAIN], {
    env: replicaEnv(shared, id, port),
    echo: shared.options.echo,
  });
  await replica.waitFor(/is running: open/, { ...READY, what: `replica ${id}` });
  return { id, port, url: `http://${HOST}:${port}`, ...replica };
}

/** nginx: the template from deploy/, rendered into `<dir>/nginx`, in front of the replicas. */
export async function startNginx(dir, port, replicas, echo) {
  const nginxDir = join(dir, 'nginx');
  await mkdir(nginxDir);
  const upstreams = replicas.map((r) => `server ${HOST}:${r.port} max_fails=1 fail_timeout=5s;`);
  const conf = (await readFile(NGINX_TEMPLATE, 'utf8'))
    .replaceAll('{{PREFIX}}', nginxDir)
    .replaceAll('{{LISTEN}}', `${HOST}:${port}`)
    .replaceAll('{{UPSTREAM_SERVERS}}', upstreams.join('\n    '));
  const nginxConf = join(nginxDir, 'nginx.conf');
  await writeFile(nginxConf, conf);
  const nginxBin = findProgram('nginx');
  const nginxArgs = ['-p', nginxDir, '-c', nginxConf, '-e', join(nginxDir, 'error.log')];
  const test = spawnSync(nginxBin, [...nginxArgs, '-t'], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx refused its configuration:\n${test.stderr}`);
  const nginx = service('nginx', nginxBin, [...nginxArgs, '-g', 'daemon off;'], { echo });
  await nginx.waitFor(() => accepts(port), { ...READY, what: 'nginx' });
  return { ...nginx, errors: () => readFile(join(nginxDir, 'error.log'), 'utf8').catch(() => '') };
}
