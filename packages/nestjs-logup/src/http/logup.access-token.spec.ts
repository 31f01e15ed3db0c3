import { LogupAccessTokenCache, MAX_EXPIRES_IN_SECONDS, parseAccessTokenAnswer } from './logup.access-token.js';

describe('LogupAccessTokenCache', () => {
  it('fetches once for concurrent callers and reuses the token', async () => {
    let fetches = 0;
    const cache = new LogupAccessTokenCache(async () => {
      fetches++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { value: `tok_${fetches}`, expiresInSeconds: 3600 };
    });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get(Date.now() + 1000)));
    expect(new Set(tokens.map((t) => t.value))).toEqual(new Set(['tok_1']));
    expect((await cache.get(Date.now() + 1000)).value).toBe('tok_1');
    expect(fetches).toBe(1);
    expect(cache.grants).toBe(1);
  });

  it('renews 10 % (at most a minute) before expiry', async () => {
    const cache = new LogupAccessTokenCache(() => Promise.resolve({ value: 'tok', expiresInSeconds: 100 }));
    const token = await cache.get(Date.now() + 1000);
    expect(token.renewAt - Date.now()).toBeGreaterThan(85_000);
    expect(token.renewAt - Date.now()).toBeLessThanOrEqual(90_000);
  });

  it('drops only the token that was refused', async () => {
    let n = 0;
    const cache = new LogupAccessTokenCache(() => Promise.resolve({ value: `tok_${++n}`, expiresInSeconds: 3600 }));
    const first = await cache.get(0);
    cache.invalidate(first);
    const second = await cache.get(0);
    expect(second.value).toBe('tok_2');
    cache.invalidate(first); // a late 401 for the old token does not drop the new one
    expect((await cache.get(0)).value).toBe('tok_2');
  });

  it('shows no token in JSON', async () => {
    const cache = new LogupAccessTokenCache(() =>
      Promise.resolve({ value: 'tok_secret_value', expiresInSeconds: 3600 }),
    );
    await cache.get(0);
    expect(JSON.stringify(cache)).not.toContain('tok_secret_value');
  });
});

describe('LogupAccessTokenCache.refresh (health probes)', () => {
  it('fetches on its own, without joining or waiting for a renewal in flight, and caches its token', async () => {
    let n = 0;
    let release: () => void = () => undefined;
    const cache = new LogupAccessTokenCache(async () => {
      const value = `tok_${++n}`;
      if (n === 1) await new Promise<void>((resolve) => (release = resolve));
      return { value, expiresInSeconds: 3600 };
    });
    const slow = cache.get(Date.now() + 1000);
    const probed = await cache.refresh(Date.now() + 1000);
    expect(probed.value).toBe('tok_2');
    expect((await cache.get(0)).value).toBe('tok_2');
    release();
    await slow;
    expect(cache.grants).toBe(2);
  });
});

describe('parseAccessTokenAnswer', () => {
  it.each([
    [{ access_token: 'tok_ABC-._~+/xyz==', expires_in: 3600 }, 3600],
    [{ access_token: 'tok', expires_in: '60' }, 60],
    [{ access_token: 'tok' }, 3600],
    [{ access_token: 'tok', expires_in: null }, 3600],
    [{ access_token: 'tok', expires_in: MAX_EXPIRES_IN_SECONDS }, MAX_EXPIRES_IN_SECONDS],
  ])('accepts %j (lifetime %i s)', (body, seconds) => {
    expect(parseAccessTokenAnswer(body)).toEqual({ value: body.access_token, expiresInSeconds: seconds });
  });

  it.each([
    [null, 'not a JSON object'],
    ['tok', 'not a JSON object'],
    [{}, 'no access_token'],
    [{ access_token: 7 }, 'no access_token'],
    [{ access_token: 'a\r\nb' }, 'characters a bearer token cannot have'],
    [{ access_token: 'a b' }, 'characters a bearer token cannot have'],
    [{ access_token: '=abc' }, 'characters a bearer token cannot have'],
    [{ access_token: 'x'.repeat(4097) }, 'at most 4096'],
    [{ access_token: 'tok', expires_in: 0 }, 'expires_in'],
    [{ access_token: 'tok', expires_in: -1 }, 'expires_in'],
    [{ access_token: 'tok', expires_in: MAX_EXPIRES_IN_SECONDS + 1 }, 'expires_in'],
    [{ access_token: 'tok', expires_in: 'an hour' }, 'expires_in'],
    [{ access_token: 'tok', expires_in: Number.NaN }, 'expires_in'],
  ])('refuses %j, saying why (%s) without the value', (body, why) => {
    const result = parseAccessTokenAnswer(body);
    expect(result).toEqual({ problem: expect.stringContaining(why) });
  });
});
