// The bench's comparisons: each a baseline row (LogUp called directly, or a
// hand-written route) and a library row, run interleaved (A, B, A, B, ...) for ROUNDS
// rounds, every round kept for the report (bench/report.mjs).
import { CONCURRENCY, GATE, OPS, ROUNDS, http, measure, tokens } from './load.mjs';

/**
 * Runs the two rows of a comparison in turn, ROUNDS times (A, B, A, B, ...), each on
 * freshly prepared input, and keeps every round in `results`; `label` and `target` name it in the report.
 */
async function compare(results, concurrency, entries, { label, target }) {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, prepare] of entries) {
      const op = await prepare(OPS);
      const run = await measure(op, OPS, concurrency);
      if (run.errors) throw new Error(`${name}: ${run.errors} errors`);
      (results.rows[name] ??= { rounds: [] }).rounds.push(run);
    }
  }
  results.comparisons.push({ label, baseline: entries[0][0], subject: entries[1][0], target });
}

/** The verification rows and the callback-route rows: each prepares its own fresh tokens. */
function verificationRows({ emu, emulator, logup, bearer, benchApp }) {
  const verifyDirect = async (n) => {
    const pool = await tokens(emulator, n, 'direct@bench.example');
    return async (i) =>
      (await http('POST', `${emu.url}/v1_1/verification`, { body: { logupToken: pool[i] }, headers: bearer })).body
        .verified === true;
  };
  const verifyLibrary = async (n) => {
    const pool = await tokens(emulator, n, 'library@bench.example');
    return async (i) => (await logup.verify(pool[i], true)).verified;
  };
  const route = (path) => async (n) => {
    const pool = await tokens(emulator, n, `${path.replace(/\W/g, '')}@bench.example`);
    return async (i) =>
      (await http('GET', `${benchApp.url}${path}?logupToken=${pool[i]}&isNewUser=true`)).status === 200;
  };
  return { verifyDirect, verifyLibrary, route };
}

/** The DB rows: reads over 64 subscriptions, updates of one. */
async function dbRows({ emu, emulator, logup, bearer, dbUrl, subscription }) {
  // Reads rotate over 64 subscriptions, so no two reads in flight are identical: the
  // library would share those (one LogUp call), which is not what this row measures.
  const readers = [];
  for (let i = 0; i < 64; i++) {
    const login = await emulator.login({
      idGate: GATE.idGate,
      email: `read${i}@bench.example`,
      db: { country: 'italy' },
    });
    readers.push({
      url: `${emu.url}/v1_1/subscription/${login.idSubscription}/db`,
      sub: logup.subscription(login.idSubscription),
    });
  }
  const dbRead = {
    direct: async () => async (i) => (await http('GET', readers[i % 64].url, { headers: bearer })).status === 200,
    library: async () => async (i) => (await readers[i % 64].sub.getDb()).country === 'italy',
  };
  const dbUpdate = {
    direct: async () => async (i) =>
      (await http('PUT', dbUrl, { headers: bearer, body: { data: [{ key: 'age', value: i }] } })).status === 200,
    library: async () => async (i) => (await subscription.updateDb({ age: i })).age === i,
  };
  return { dbRead, dbUpdate };
}

/** Every comparison, sequential then concurrent, then the callback route; rows and comparisons land in `results`. */
export async function runComparisons(results, bench) {
  const { verifyDirect, verifyLibrary, route } = verificationRows(bench);
  const { dbRead, dbUpdate } = await dbRows(bench);
  // Row name, report title, the library row's name, the API the report names, direct row, library row.
  const pairs = [
    ['verification', 'verification', 'LogupService.verify', '`LogupService.verify`', verifyDirect, verifyLibrary],
    ['db read', 'DB read', 'library', '`getDb`', dbRead.direct, dbRead.library],
    ['db update', 'DB update', 'library', '`updateDb`', dbUpdate.direct, dbUpdate.library],
  ];
  for (const [label, concurrency, target] of [
    ['sequential', 1, 0.9],
    [`${CONCURRENCY} concurrent`, CONCURRENCY, 0.75],
  ]) {
    for (const [row, title, libraryRow, api, direct, library] of pairs) {
      const entries = [
        [`${row} ${label}, direct`, direct],
        [`${row} ${label}, ${libraryRow}`, library],
      ];
      await compare(results, concurrency, entries, { label: `${title}, ${label}: ${api} vs direct`, target });
    }
  }
  await compare(
    results,
    CONCURRENCY,
    [
      [`callback route ${CONCURRENCY} concurrent, hand-written`, route('/raw/callback')],
      [`callback route ${CONCURRENCY} concurrent, LogupGuard`, route('/logup/callback')],
    ],
    { label: `callback route, ${CONCURRENCY} concurrent: \`LogupGuard\` vs hand-written`, target: 0.9 },
  );
}
