// Jest globalSetup / globalTeardown: every log line the library, the sample app and
// the emulator wrote during the whole suite is collected under test-artifacts/logs
// (test/support/log-capture.ts); after the run, none may contain a gate secret, an
// access token or a logupToken.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts', 'logs');

/** Every gate secret and session secret the tests configure. */
export const TEST_SECRETS = [
  'secret_gate_test_value',
  'secret_gate_other_value',
  'secret_demo',
  'secret_unit_do_not_leak',
  'secret_wrong_value_123',
  'fault-matrix-session-secret-0123456789',
];
/** The emulator's access tokens are 64 and its logupTokens 128 alphanumeric characters. */
const TOKEN_SHAPE = /[A-Za-z0-9]{64,}/;

export function findLeaks(text) {
  const leaks = [];
  text.split('\n').forEach((line, index) => {
    const secret = TEST_SECRETS.find((s) => line.includes(s));
    if (secret) leaks.push(`line ${index + 1}: gate or session secret "${secret.slice(0, 9)}..."`);
    else if (TOKEN_SHAPE.test(line)) leaks.push(`line ${index + 1}: a token-shaped string: ${line.slice(0, 120)}`);
  });
  return leaks;
}

export function setup() {
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
}

export function teardown(globalConfig) {
  const fullRun = !globalConfig?.testPathPatterns?.patterns?.length && !globalConfig?.testNamePattern;
  const files = readdirSync(LOG_DIR).filter((f) => f.endsWith('.log'));
  let lines = 0;
  const leaks = [];
  for (const file of files) {
    const text = readFileSync(join(LOG_DIR, file), 'utf8');
    lines += text.split('\n').length - 1;
    for (const leak of findLeaks(text)) leaks.push(`${file} ${leak}`);
  }
  // A full run logs well over a thousand lines: far fewer means the capture broke.
  if (fullRun && lines < 100)
    throw new Error(`secret scan: only ${lines} log lines were captured; the capture is broken`);
  if (leaks.length > 0) {
    throw new Error(`secret scan: ${leaks.length} leak(s) in the captured logs:\n${leaks.slice(0, 20).join('\n')}`);
  }
  process.stdout.write(`\nsecret scan: ${lines} captured log lines in ${files.length} files, no secret or token\n`);
}
