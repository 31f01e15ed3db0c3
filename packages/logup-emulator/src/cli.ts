import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.server.js';
import type { EmulatorGate, EmulatorOptions } from './emulator.types.js';

const USAGE = `Usage: logup-emulator [options]

  --port <n>                    port to listen on (default 4010; 0 picks a free one)
  --host <address>              address to listen on (default 127.0.0.1)
  --gate <idGate:secret>        a gate; repeat for several (default gate_demo:secret_demo)
  --redirect <idGate=url>       the gate's redirect URL: the login page sends visitors there
                                when the login link names none; repeat to allow more
                                (default: the link must name one; loopback URLs only)
  --name <idGate=name>          the site name the login page shows for a gate (default: its idGate)
  --verification-status <code>  200 or 201: the status of POST /verification (default 201)
  --token-ttl <seconds>         access-token lifetime (default 3600)
  --logup-token-ttl <seconds>   logupToken lifetime (default 600)
  --value-limit <how>           characters or bytes: how a DB value's 1024 limit is counted
                                (default characters: Unicode code points; bytes: UTF-8)
  --data-file <path>            keep actors, subscriptions and DBs in this JSON file
  --quiet                       do not log requests
  --help                        show this help`;

function fail(message: string): never {
  process.stderr.write(`logup-emulator: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '4010' },
        host: { type: 'string', default: '127.0.0.1' },
        gate: { type: 'string', multiple: true },
        redirect: { type: 'string', multiple: true },
        name: { type: 'string', multiple: true },
        'verification-status': { type: 'string' },
        'token-ttl': { type: 'string' },
        'logup-token-ttl': { type: 'string' },
        'data-file': { type: 'string' },
        'value-limit': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
}

function number(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number, got "${text}"`);
  return n;
}

/** The configured gate a `--<flag> idGate=value` names, and the value. */
function gateFlag(gates: EmulatorGate[], flag: string, spec: string): [EmulatorGate, string] {
  const at = spec.indexOf('=');
  const gate = gates.find((g) => g.idGate === spec.slice(0, at));
  if (at <= 0 || !gate)
    fail(`--${flag} must look like idGate=${flag === 'name' ? 'name' : 'url'} for a configured gate, got "${spec}"`);
  return [gate, spec.slice(at + 1)];
}

/** `--gate id:secret`, `--redirect id=url` and `--name id=name` flags as gates (the first redirect of a gate is its own). */
function gatesOf(gateFlags: string[], redirectFlags: string[], nameFlags: string[]): EmulatorGate[] {
  const gates: EmulatorGate[] = gateFlags.map((spec) => {
    const at = spec.indexOf(':');
    if (at <= 0 || at === spec.length - 1) fail(`--gate must look like idGate:secret, got "${spec.split(':')[0]}:..."`);
    return { idGate: spec.slice(0, at), secret: spec.slice(at + 1) };
  });
  for (const spec of redirectFlags) {
    const [gate, url] = gateFlag(gates, 'redirect', spec);
    if (gate.redirectUrl === undefined) gate.redirectUrl = url;
    else (gate.redirectUrls ??= []).push(url);
  }
  for (const spec of nameFlags) {
    const [gate, name] = gateFlag(gates, 'name', spec);
    gate.name = name;
  }
  return gates;
}

function optionsOf(values: ReturnType<typeof parse>): EmulatorOptions {
  const status = values['verification-status'];
  if (status !== undefined && status !== '200' && status !== '201') {
    fail(`--verification-status must be 200 or 201, got "${status}"`);
  }
  const valueLimit = values['value-limit'];
  if (valueLimit !== undefined && valueLimit !== 'characters' && valueLimit !== 'bytes') {
    fail(`--value-limit must be characters or bytes, got "${valueLimit}"`);
  }
  return {
    port: number('port', values.port),
    host: values.host,
    gates: gatesOf(values.gate ?? ['gate_demo:secret_demo'], values.redirect ?? [], values.name ?? []),
    verificationStatus: status === undefined ? undefined : status === '200' ? 200 : 201,
    accessTokenTtlSeconds: number('token-ttl', values['token-ttl']),
    logupTokenTtlSeconds: number('logup-token-ttl', values['logup-token-ttl']),
    dataFile: values['data-file'],
    valueLimit,
    log: values.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
  };
}

const values = parse();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const options = optionsOf(values);
const emulator = await startEmulator(options).catch((error: Error) => fail(error.message));
const gates = options.gates as EmulatorGate[];
const loginLink = `${emulator.url}/login?gate=${gates[0].idGate}${gates[0].redirectUrl ? '' : '&redirect=<your callback URL>'}`;

process.stdout.write(`LogUp emulator listening on ${emulator.url}
  API base URL: ${emulator.url}  (e.g. POST ${emulator.url}/v1_1/oauth/token)
  gates: ${gates.map((g) => g.idGate).join(', ')}
  login page: ${loginLink}${
    gates[0].redirectUrl
      ? ''
      : `\n  (no --redirect for ${gates[0].idGate}: give one, e.g. --redirect ${gates[0].idGate}=http://localhost:3000/logup/callback)`
  }
  control (loopback tests only): POST ${emulator.url}/__emulator/login, GET ${emulator.url}/__emulator/stats
`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void emulator.stop().then(() => process.exit(0)));
}
