// What LogupGuard keeps in a session, key by key: ids and times only, and a digest of
// the spent logupToken (never a token or the DB). The one list every session test reads (test/sessions/, test/cluster/);
// change it here when the session value changes.

/** The login value under `sessionKey` (default `logup`), keys sorted. */
export const LOGIN_VALUE_KEYS = Object.freeze([
  'idActor',
  'idSubscription',
  'isNewUser',
  'issuedAt',
  'sid',
  'tokenHash',
]);

/** The pending login under `<sessionKey>:pending`, keys sorted. */
export const PENDING_VALUE_KEYS = Object.freeze(['expiresAt', 'nonce']);
