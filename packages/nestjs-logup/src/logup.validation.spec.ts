import { LogupValidationError } from './errors/logup.errors.js';
import {
  LOGUP_CALLBACK_RULES,
  assertDbKeys,
  assertDbUpdate,
  dbUpdateIssues,
  idProblem,
  logupTokenProblem,
  parseCallbackQuery,
  parseDb,
} from './logup.validation.js';

const NAMES = { token: 'logupToken', isNewUser: 'isNewUser' };
const TOKEN = 'a'.repeat(32);

describe('the callback query rules (one set for the guard, verify() and the DTO)', () => {
  it.each([
    [
      { logupToken: TOKEN, isNewUser: 'true' },
      { logupToken: TOKEN, isNewUser: true },
    ],
    [
      { logupToken: TOKEN, isNewUser: 'false' },
      { logupToken: TOKEN, isNewUser: false },
    ],
    [{}, { problems: ['logupToken is required', 'isNewUser is required'] }],
    [
      { logupToken: [TOKEN, TOKEN], isNewUser: 'x' },
      { problems: [`logupToken ${LOGUP_CALLBACK_RULES.notString}`, `isNewUser ${LOGUP_CALLBACK_RULES.isNewUser}`] },
    ],
    [{ logupToken: 'short', isNewUser: 'true' }, { problems: [`logupToken ${LOGUP_CALLBACK_RULES.length}`] }],
    [{ logupToken: `${TOKEN}<`, isNewUser: 'true' }, { problems: [`logupToken ${LOGUP_CALLBACK_RULES.characters}`] }],
  ])('%j -> %j', (query, expected) => {
    expect(parseCallbackQuery(query, NAMES)).toEqual(expected);
  });

  it('names custom parameters and never echoes values', () => {
    const result = parseCallbackQuery({ t: 'short-value' }, { token: 't', isNewUser: 'n' });
    expect(JSON.stringify(result)).not.toContain('short-value');
    expect(result).toEqual({ problems: [`t ${LOGUP_CALLBACK_RULES.length}`, 'n is required'] });
    expect(logupTokenProblem(TOKEN)).toBeUndefined();
  });
});

describe('ids and DB checks', () => {
  it.each(['', '.', '..', 'x'.repeat(257), 'a\u0000b', 42, undefined])('refuses the id %j', (id) => {
    expect(idProblem(id)).toBeDefined();
  });

  it('accepts ordinary ids', () => {
    for (const id of ['sub_123', 'acr_x', 'a/b', 'ü']) expect(idProblem(id)).toBeUndefined();
  });

  it('lists every problem of an update, naming the key and the limit', () => {
    const error = (() => {
      try {
        assertDbUpdate({ ['k'.repeat(33)]: 1, v: 'x'.repeat(1025), n: null });
      } catch (e) {
        return e as LogupValidationError;
      }
    })();
    expect(error).toBeInstanceOf(LogupValidationError);
    expect(error!.issues.map((i) => i.message)).toEqual([
      'is 33 characters; at most 32',
      'is 1025 characters; at most 1024',
      'must be a string, a finite number or a boolean, not null',
    ]);
  });

  it('lets a change name no key (it changes nothing), never an update', () => {
    expect(dbUpdateIssues({}, true)).toEqual([]);
    expect(dbUpdateIssues({})).toEqual([{ path: 'data', message: 'must name at least one key' }]);
    expect(dbUpdateIssues(null, true)).toEqual([{ path: 'data', message: 'must be a plain object of key -> value' }]);
  });

  it('checks key lists', () => {
    expect(() => assertDbKeys([], 'DB read', false)).toThrow('keys must name at least one key');
    expect(() => assertDbKeys(['a,b'], 'DB read', false)).toThrow('keys[0] must not contain ","');
    expect(() => assertDbKeys(['a,b'], 'DB delete', true)).not.toThrow();
  });

  it('parses a DB answer, keeping "__proto__" a plain key', () => {
    const db = parseDb(JSON.parse('{"__proto__": 1, "a": "x"}'));
    expect(Object.keys(db!)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(db)).toBe(Object.prototype);
    expect(parseDb({ a: { nested: true } })).toBeUndefined();
    expect(parseDb([1])).toBeUndefined();
  });
});
