import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'nestjs-logup', 'dist');

// Two copies of the library in one process (an app's ESM import and a CommonJS
// dependency's require) still recognise each other's errors and subscriptions, so an
// ESM guard never verifies a single-use token that a CommonJS guard already verified.
const SCRIPT = `
import 'reflect-metadata';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const esm = await import(${JSON.stringify(join(DIST, 'esm', 'index.js'))});
const cjs = require(${JSON.stringify(join(DIST, 'cjs', 'index.js'))});
const cjsTesting = require(${JSON.stringify(join(DIST, 'cjs', 'logup.testing.js'))});
if (esm.LogupError === cjs.LogupError) throw new Error('one copy only: the test proves nothing');
const apiError = new cjs.LogupApiError({ operation: 'getDb', status: 404, errorMessage: 'x' });
const credentials = new cjs.LogupCredentialsError({ idGate: 'g', status: 401, errorMessage: 'x' });
const subscription = cjsTesting.createTestSubscription();
const attachedByCjs = {};
const http = { getRequest: () => attachedByCjs, getResponse: () => ({}) };
new cjsTesting.LogupTestGuard(subscription).canActivate({ getType: () => 'http', switchToHttp: () => http });
console.log(JSON.stringify({
  error: apiError instanceof esm.LogupError,
  api: esm.isLogupApiError(apiError),
  credentials: credentials instanceof esm.LogupCredentialsError && credentials instanceof esm.LogupApiError,
  notUnavailable: apiError instanceof esm.LogupUnavailableError,
  subscription: subscription instanceof esm.LogupSubscription,
  attached: esm.subscriptionOf(attachedByCjs) === subscription && esm.subscriptionOf(attachedByCjs, 'default') === subscription,
  plainObject: esm.subscriptionOf({ logupSubscription: { idSubscription: 'sub_fake' } }) === undefined,
}));
`;

describe('a CommonJS and an ESM copy of nestjs-logup in one process', () => {
  it('recognise each other through brands, not identities', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({
      error: true,
      api: true,
      credentials: true,
      notUnavailable: false,
      subscription: true,
      attached: true,
      plainObject: true,
    });
  });
});
