#!/usr/bin/env node
// npm run cluster: redis-server, the LogUp emulator, 3 replicas of the sample app
// and nginx in front, all on loopback, until Ctrl-C (or SIGTERM) stops them all.
// Options: --replicas <n> (default 3), --fastify, --port <nginx port>, --quiet.
// Needs `npm run build` and Debian's redis-server and nginx (scripts/ci-services.sh).
import { parseArgs } from 'node:util';
import { CLUSTER_GATE, startCluster } from './cluster-lib.mjs';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '3' },
    fastify: { type: 'boolean', default: false },
    port: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const replicas = Number(values.replicas);
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16) {
  process.stderr.write('--replicas must be an integer from 1 to 16\n');
  process.exit(2);
}

let cluster;
try {
  cluster = await startCluster({
    replicas,
    adapter: values.fastify ? 'fastify' : 'express',
    port: values.port ? Number(values.port) : undefined,
    echo: !values.quiet,
  });
} catch (error) {
  process.stderr.write(`Cannot start the cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

process.stdout.write(`
LogUp sample app, ${replicas} replica(s) behind nginx: open ${cluster.url}
  replicas:  ${cluster.replicas.map((r) => `${r.id} ${r.url}`).join(', ')} (answers carry X-Replica)
  Redis:     ${cluster.redisUrl}
  LogUp:     ${cluster.emulatorUrl} (emulator, gate ${CLUSTER_GATE.idGate}; any email logs in)
  files:     ${cluster.dir}
Ctrl-C stops everything.
`);

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping nginx, the replicas, the emulator and Redis...\n`);
  await cluster.stop();
  process.stdout.write('stopped.\n');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
// A replica or service that dies on its own is reported (the others keep serving).
for (const p of [cluster.nginx, cluster.emulator, ...cluster.replicas]) {
  void p.exited.then(() => {
    if (!stopping) process.stderr.write(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode})\n`);
  });
}
