import type { Db, EmulatorLogin, EmulatorStats, FaultSpec } from './emulator.types.js';

/**
 * Drives an emulator running in another process through its `/__emulator/`
 * control endpoints: the same operations as {@link LogupEmulator}, over HTTP.
 * @example
 * const emulator = new EmulatorClient('http://127.0.0.1:4010');
 * const { logupToken } = await emulator.login({ idGate: 'gate_demo', email: 'ada@example.com' });
 */
export class EmulatorClient {
  /** @param url the emulator's base URL, e.g. `http://127.0.0.1:4010`. */
  constructor(readonly url: string) {}

  login(input: { idGate: string; email: string; isNewUser?: boolean; db?: Db }): Promise<EmulatorLogin> {
    return this.call('POST', '/__emulator/login', input);
  }

  /** Up to 10,000 single-use logupTokens for one visitor (load tests). */
  logins(input: { idGate: string; email: string; count: number }): Promise<{
    idSubscription: string;
    idActor: string;
    logupTokens: string[];
  }> {
    return this.call('POST', '/__emulator/logins', input);
  }

  stats(): Promise<EmulatorStats> {
    return this.call('GET', '/__emulator/stats');
  }

  resetStats(): Promise<void> {
    return this.call('DELETE', '/__emulator/stats');
  }

  fault(spec: FaultSpec | FaultSpec[]): Promise<void> {
    return this.call('POST', '/__emulator/faults', spec);
  }

  /** Lets every request a `hold` fault is holding go on; answers how many. */
  releaseHeld(): Promise<{ released: number }> {
    return this.call('POST', '/__emulator/faults/release', {});
  }

  clearFaults(): Promise<void> {
    return this.call('DELETE', '/__emulator/faults');
  }

  revokeAccessTokens(idGate?: string): Promise<{ revoked: number }> {
    return this.call('POST', '/__emulator/revoke-tokens', { idGate });
  }

  /** A DB as stored (not counted as a read); undefined for an unknown subscription. */
  async db(idSubscription: string): Promise<Db | undefined> {
    try {
      return await this.call('GET', `/__emulator/db/${encodeURIComponent(idSubscription)}`);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      throw Object.assign(new Error(`logup-emulator: ${method} ${path} answered ${res.status} ${text}`), {
        status: res.status,
      });
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
