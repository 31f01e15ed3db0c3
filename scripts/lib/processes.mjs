// The one process spawner of the repository, shared by the tests, the bench and the
// cluster scripts: start a program with its output kept, wait until it is ready (a
// line it prints, or a port that accepts), and stop it. Plain ESM with typings next
// to it (processes.d.mts), so the TypeScript tests import it typed.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';

const HOST = '127.0.0.1';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free loopback port (bound, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on the loopback port. */
export function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, HOST);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `command` with `args`, keeping what it prints. Options: `name` (for messages
 * and echoed lines), `env` (the whole environment; default this process's), `cwd`,
 * `detached`, `echo` (print each line as `[name] line`), `outputLimit` (keep only the
 * last half once the output passes this many characters).
 */
export function startProcess(command, args, options = {}) {
  const name = options.name ?? command;
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    detached: options.detached,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text = { stdout: '', stderr: '', all: '' };
  const keep = (stream) => (chunk) => {
    const piece = chunk.toString();
    text[stream] += piece;
    text.all += piece;
    if (options.outputLimit && text.all.length > options.outputLimit)
      text.all = text.all.slice(-options.outputLimit / 2);
    if (options.echo) for (const line of piece.split('\n')) if (line) process.stdout.write(`[${name}] ${line}\n`);
  };
  child.stdout.on('data', keep('stdout'));
  child.stderr.on('data', keep('stderr'));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const handle = {
    name,
    child,
    pid: child.pid,
    exited,
    output: () => text.all,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    alive: () => !ended(),
    waitFor: (check, waitOptions) => waitFor(handle, check, waitOptions),
    /** Signals the process (SIGTERM by default) and waits for it; SIGKILL after `graceMs`, if given. */
    async stop(signal = 'SIGTERM', { graceMs } = {}) {
      if (ended()) return exited;
      child.kill(signal);
      const timer = graceMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
  };
  return handle;
}

/**
 * Waits until `check` holds: a RegExp found in the output (resolves to its match), or
 * a function (may be async; resolves to its first truthy answer, a throw counts as
 * not yet). Fails naming `what` and with the output when the process exits first, or
 * kills it (SIGKILL) and fails after `timeoutMs`.
 */
async function waitFor(proc, check, { what = proc.name, timeoutMs = 20_000, intervalMs = 50 } = {}) {
  const test = check instanceof RegExp ? () => check.exec(proc.output()) : check;
  const started = Date.now();
  for (;;) {
    const found = await Promise.resolve()
      .then(test)
      .catch(() => undefined);
    if (found) return found;
    const { exitCode, signalCode } = proc.child;
    if (exitCode !== null || signalCode !== null)
      throw new Error(`${what} exited with ${exitCode ?? signalCode}:\n${proc.output()}`);
    if (Date.now() - started > timeoutMs) {
      proc.child.kill('SIGKILL');
      throw new Error(`${what} did not start within ${timeoutMs / 1000} s:\n${proc.output()}`);
    }
    await sleep(intervalMs);
  }
}

/** Starts a program and waits for `ready` (see waitFor); on failure nothing is left running. */
export async function startReady(command, args, ready, options = {}) {
  const proc = startProcess(command, args, options);
  const found = await proc.waitFor(ready, options);
  return { ...proc, ready: found };
}

/** The URL a server printed (`listening on http://…`, `open http://…`), on 127.0.0.1 rather than localhost. */
export const loopbackUrl = (url) => url.replace('localhost', HOST);
