import { LogupApiError } from 'nestjs-logup';
import { GATE, email, withLogup } from '../support/logup-fixture.js';

/**
 * "Reasons taken from LogUp are bounded to 200 characters, made one plain line, and
 * have anything token-shaped cut out": with reasons that only those rules catch (words,
 * not one long run; a token LogUp made up, not one the library sent).
 */
describe("LogUp's reasons in results and errors", () => {
  const ctx = withLogup();
  afterEach(() => ctx.emu.clearFaults());
  const verify = () => ctx.logup.verify(ctx.emu.login({ idGate: GATE.idGate, email: email() }).logupToken, false);

  it('bounds a long reason made of words to exactly 200 characters, on one line', async () => {
    const words = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ');
    ctx.emu.fault({
      kind: 'status',
      status: 200,
      endpoint: 'verification',
      body: { verified: false, errorMessage: `NOPE\r\n${words}` },
    });
    const result = await verify();
    expect(result.verified).toBe(false);
    if (result.verified) return;
    expect(result.errorMessage).toHaveLength(200);
    expect(result.errorMessage).toMatch(/^NOPE word0 word1 .*\.\.\.$/);
  });

  it('cuts out a token-shaped run the library never sent', async () => {
    const other = `tok_${'Q7x'.repeat(20)}`;
    ctx.emu.fault({
      kind: 'status',
      status: 404,
      endpoint: 'verification',
      body: { errorMessage: `session ${other} is unknown` },
    });
    const error = await verify().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogupApiError);
    expect((error as LogupApiError).errorMessage).toBe('session [redacted] is unknown');
    expect(`${String(error)}${JSON.stringify(error)}`).not.toContain(other);
  });
});
