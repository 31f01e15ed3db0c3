import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmulatorClient } from 'logup-emulator';
import { LogupApiError, LogupValidationError } from 'nestjs-logup';
import { startReady } from '../../scripts/lib/processes.mjs';
import { GATE, email, withLogup } from '../support/logup-fixture.js';

/** 1,024 characters, 2,048 bytes in UTF-8: within the limit read as characters, over it read as bytes. */
const ACCENTED = 'é'.repeat(1024);

describe("LogUp counting a DB value's limit in UTF-8 bytes (emulator valueLimit: 'bytes')", () => {
  const ctx = withLogup({ valueLimit: 'bytes' }, { retry: { retries: 3, minDelayMs: 10 } });
  const sub = (db?: Record<string, string>) =>
    ctx.logup.subscription(ctx.emu.login({ idGate: GATE.idGate, email: email('bytes'), db }).idSubscription);

  it('accepts 1,024 bytes exactly (512 × é, 1,024 × e)', async () => {
    await expect(sub().updateDb({ half: 'é'.repeat(512), plain: 'e'.repeat(1024) })).resolves.toEqual({
      half: 'é'.repeat(512),
      plain: 'e'.repeat(1024),
    });
  });

  it('a value the library accepts but LogUp refuses: a 400 naming the key and its size, sent once, DB unchanged', async () => {
    const s = sub({ keep: 'me' });
    ctx.emu.resetStats();
    const error = await s.updateDb({ ok: 'fine', bio: ACCENTED }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogupApiError);
    expect(error).not.toBeInstanceOf(LogupValidationError);
    const apiError = error as LogupApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.errorMessage).toBe('VALUE_TOO_LONG; over 1024 bytes in UTF-8: "bio" (2048 bytes)');
    expect(apiError.message).toContain('"bio" (2048 bytes)');
    // A 400 is LogUp's answer, not a transient failure: nothing retried.
    expect(ctx.emu.stats()).toMatchObject({ apiRequests: 1, dbUpdates: 0, rejected: 1 });
    expect(ctx.emu.db(s.idSubscription)).toEqual({ keep: 'me' });
  });

  it('passes any other 400 on as LogUp gave it', async () => {
    const s = sub();
    ctx.emu.fault({ kind: 'status', status: 400, endpoint: 'db-update', body: { errorMessage: 'SOMETHING_ELSE' } });
    const error = (await s.updateDb({ short: 'x' }).catch((e: unknown) => e)) as LogupApiError;
    expect(error).toBeInstanceOf(LogupApiError);
    expect(error.errorMessage).toBe('SOMETHING_ELSE');
  });
});

describe("the emulator's valueLimit setting", () => {
  const chars = withLogup();

  it('counts characters by default: 1,024 × é is accepted (the lenient reading)', async () => {
    const s = chars.logup.subscription(chars.emu.login({ idGate: GATE.idGate, email: email('chars') }).idSubscription);
    await expect(s.updateDb({ bio: ACCENTED })).resolves.toEqual({ bio: ACCENTED });
  });

  it('refuses an unknown valueLimit at start-up', async () => {
    const { startEmulator } = await import('logup-emulator');
    await expect(
      Promise.resolve().then(() => startEmulator({ port: 0, gates: [GATE], valueLimit: 'kb' as never })),
    ).rejects.toThrow("valueLimit must be 'characters' or 'bytes'");
  });

  it('is --value-limit bytes on the command line (the built CLI)', async () => {
    const cli = join(dirname(fileURLToPath(import.meta.url)), '../../packages/logup-emulator/dist/esm/cli.js');
    const emulator = await startReady(
      process.execPath,
      [cli, '--port', '0', '--quiet', '--gate', 'gate_cli:secret_cli_value', '--value-limit', 'bytes'],
      /listening on (http:\/\/\S+)/,
      { name: 'the CLI' },
    );
    try {
      const url = emulator.ready[1];
      const client = new EmulatorClient(url);
      await expect(client.login({ idGate: 'gate_cli', email: email('cli'), db: { bio: ACCENTED } })).rejects.toThrow(
        /VALUE_TOO_LONG.*bio.*is 2048 bytes in UTF-8; at most 1024/,
      );
    } finally {
      await emulator.stop();
    }
  });
});
