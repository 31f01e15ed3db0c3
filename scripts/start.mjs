// npm start / npm run start:fastify: builds the workspace, then runs the sample app
// as a child process. Ctrl-C (SIGINT) or SIGTERM is passed on to the app, which
// closes gracefully, and this script then exits 0: no npm error lines on a stop.
// Usage: node scripts/start.mjs [--fastify] [--no-build]
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let stopping;

// Ignore signals while building: the terminal sends Ctrl-C to the whole group,
// and the build's own processes stop on it; its failure is reported below.
const ignore = () => {};
process.on('SIGINT', ignore);
process.on('SIGTERM', ignore);

if (!args.includes('--no-build')) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const started = Date.now();
  const steps = ['logup-emulator', 'nestjs-logup', 'logup-sample-app'];
  process.stdout.write('npm start: building the workspace first (about a minute on a small machine)\n');
  let build;
  for (const [i, workspace] of steps.entries()) {
    process.stdout.write(`npm start: building ${workspace} (${i + 1}/${steps.length})...\n`);
    build = spawnSync(npm, ['run', 'build', '--silent', '--workspace', workspace], { cwd: ROOT, stdio: 'inherit' });
    if (build.signal || build.status !== 0) break;
  }
  if (build.status === 0) {
    process.stdout.write(
      `npm start: built in ${Math.round((Date.now() - started) / 1000)} s; starting the sample app\n`,
    );
  }
  if (build.signal) process.exit(0);
  if (build.status !== 0) {
    process.stderr.write('npm start: the build failed (see above); the sample app was not started.\n');
    process.exit(build.status ?? 1);
  }
}

const env = { ...process.env };
if (args.includes('--fastify')) env.ADAPTER = 'fastify';
// Its own process group: a terminal's Ctrl-C reaches only this script (and npm,
// which passes it on here too), and the app gets exactly one signal, from us, so it
// can close gracefully instead of dying on a second one.
const app = spawn(process.execPath, [join(ROOT, 'sample-app/dist/main.js')], {
  cwd: join(ROOT, 'sample-app'),
  env,
  stdio: 'inherit',
  detached: true,
});
process.on('exit', () => {
  if (app.exitCode === null && app.signalCode === null) app.kill('SIGTERM');
});

process.off('SIGINT', ignore);
process.off('SIGTERM', ignore);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = signal;
    if (app.exitCode === null && app.signalCode === null) app.kill(signal);
  });
}

app.on('exit', (code, signal) => {
  if (stopping || signal === 'SIGINT' || signal === 'SIGTERM') {
    process.stdout.write('\nSample app stopped.\n');
    process.exit(0);
  }
  process.exit(code ?? 1);
});
