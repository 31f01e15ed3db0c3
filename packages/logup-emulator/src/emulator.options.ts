import { LOGUP_API_VERSION_PATTERN, LOGUP_API_VERSIONS } from './logup.constants.js';
import type { EmulatorGate, EmulatorOptions } from './emulator.types.js';

/** The options the emulator runs with: validated, defaults applied, frozen. */
export interface ResolvedOptions {
  readonly gates: ReadonlyMap<string, Readonly<EmulatorGate>>;
  readonly accessTokenTtlSeconds: number;
  readonly logupTokenTtlSeconds: number;
  readonly verificationStatus: 200 | 201;
  readonly versions: ReadonlySet<string>;
  readonly valueLimit: 'characters' | 'bytes';
  readonly dataFile?: string;
}

/** Validates options at start-up; throws an error naming the option at fault. */
export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const verificationStatus = options.verificationStatus ?? 201;
  if (verificationStatus !== 200 && verificationStatus !== 201) {
    throw new Error('logup-emulator: verificationStatus must be 200 or 201');
  }
  const versions = options.versions ?? LOGUP_API_VERSIONS;
  for (const version of versions) {
    if (!LOGUP_API_VERSION_PATTERN.test(version)) {
      throw new Error(`logup-emulator: versions: "${version}" does not match ${LOGUP_API_VERSION_PATTERN.source}`);
    }
  }
  const valueLimit = options.valueLimit ?? 'characters';
  if (valueLimit !== 'characters' && valueLimit !== 'bytes') {
    throw new Error("logup-emulator: valueLimit must be 'characters' or 'bytes'");
  }
  return Object.freeze({
    gates: resolveGates(options.gates),
    accessTokenTtlSeconds: positive(options.accessTokenTtlSeconds, 3600, 'accessTokenTtlSeconds'),
    logupTokenTtlSeconds: positive(options.logupTokenTtlSeconds, 600, 'logupTokenTtlSeconds'),
    verificationStatus,
    versions: new Set(versions),
    valueLimit,
    dataFile: options.dataFile,
  });
}

function resolveGates(input: EmulatorOptions['gates']): Map<string, Readonly<EmulatorGate>> {
  const gates: EmulatorGate[] = Array.isArray(input)
    ? input
    : Object.entries(input ?? {}).map(([idGate, secret]) => ({ idGate, secret }));
  if (gates.length === 0) throw new Error('logup-emulator: configure at least one gate (idGate -> secret)');
  const resolved = new Map<string, Readonly<EmulatorGate>>();
  for (const gate of gates) {
    if (!gate.idGate || !gate.secret) throw new Error('logup-emulator: every gate needs an idGate and a secret');
    for (const url of [gate.redirectUrl, ...(gate.redirectUrls ?? [])]) {
      if (url !== undefined && !isHttpUrl(url)) {
        throw new Error(`logup-emulator: gate ${gate.idGate}: redirect URL "${url}" is not an absolute http(s) URL`);
      }
    }
    resolved.set(gate.idGate, Object.freeze({ ...gate, redirectUrls: gate.redirectUrls && [...gate.redirectUrls] }));
  }
  return resolved;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0)) throw new Error(`logup-emulator: ${name} must be a positive number`);
  return value;
}
