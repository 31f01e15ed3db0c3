import { once } from 'node:events';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ensurePrivateDir, ensurePrivateFiles, PRIVATE_FILE_MODE } from '../infra/data-dir.js';
import { SampleConfigError } from '../sample.config.js';

/** The app's own record of a LogUp visitor: made at their first login on this site. */
export interface Profile {
  idSubscription: string;
  displayName: string;
  /** ISO 8601, UTC. */
  firstLoginAt: string;
  /** ISO 8601, UTC. */
  lastLoginAt: string;
  loginCount: number;
}

/** The database file's name inside DATA_DIR. */
export const PROFILE_FILE = 'profiles.sqlite';
/** Names the process that has DATA_DIR open (its pid): one process per directory. */
const OWNER_FILE = `${PROFILE_FILE}.owner`;
/** SQLite's lock (node-sqlite3-wasm takes it by creating this directory). */
const LOCK_DIR = `${PROFILE_FILE}.lock`;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS profiles (
    id_subscription TEXT PRIMARY KEY,
    display_name    TEXT NOT NULL,
    first_login_at  TEXT NOT NULL,
    last_login_at   TEXT NOT NULL,
    login_count     INTEGER NOT NULL
  ) STRICT`;

const COLUMNS = `id_subscription, display_name, first_login_at, last_login_at, login_count`;

/**
 * WAL in exclusive mode (node-sqlite3-wasm has no shared memory for a WAL index): a
 * commit appends its pages to profiles.sqlite-wal without waiting for a disk sync,
 * which the occasional checkpoint does. Durable across a crash of the process; a power
 * loss may lose the last commits, never the database (synchronous=NORMAL).
 */
const SETUP = `PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; ${SCHEMA}`;

/** The thread that runs every statement (plain JavaScript, the same for the build and the tests). */
const WORKER = new URL('../../worker/profile-db.mjs', import.meta.url);

type Reply = { id: number; row?: Row | null; error?: string };

type Row = Record<string, unknown>;

function profileOf(row: Row | null | undefined): Profile | undefined {
  if (!row) return undefined;
  return {
    idSubscription: String(row.id_subscription),
    displayName: String(row.display_name),
    firstLoginAt: String(row.first_login_at),
    lastLoginAt: String(row.last_login_at),
    loginCount: Number(row.login_count),
  };
}

/** Whether a process with this id runs (EPERM: it does, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Profiles in SQLite on disk (node-sqlite3-wasm: SQLite compiled to WebAssembly, reading
 * and writing the file through Node's `fs`; no native build), on a thread of their own
 * (`worker/profile-db.mjs`), so that disk waits never hold the app's event loop. A
 * change is one statement in its own transaction, appended to the write-ahead log
 * before it resolves: it writes the pages it touches, not the whole database, and
 * SQLite rolls it back if it fails. `DATA_DIR` must be this user's own private
 * directory (see `ensurePrivateDir`); the files are 0600. The process holds the
 * database exclusively: another process can neither use the directory (refused at
 * start-up) nor read the file while the app runs.
 */
export class ProfileStore {
  readonly file: string;
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (row: Row | null) => void; reject: (error: Error) => void }>();
  #next = 1;
  #closed: Promise<void> | undefined;

  private constructor(
    readonly dataDir: string,
    worker: Worker,
  ) {
    this.file = join(dataDir, PROFILE_FILE);
    this.#worker = worker;
    worker.on('message', (reply: Reply) => this.#answer(reply));
    worker.on('error', (error) => this.#failAll(error));
    worker.on('exit', () => this.#failAll(new Error('the database thread stopped')));
  }

  /**
   * Opens (or creates) the profile database in `dataDir`, creating the directory (0700).
   * Refuses to start, naming the path, when the directory is not this user's private
   * one, another running process uses it, or the file is not a profile database.
   * @throws SampleConfigError
   */
  static async open(dataDir: string): Promise<ProfileStore> {
    await ensurePrivateDir(dataDir);
    await ensurePrivateFiles(dataDir, [PROFILE_FILE, `${PROFILE_FILE}-wal`, `${PROFILE_FILE}-journal`, OWNER_FILE]);
    await claimDataDir(dataDir);
    const file = join(dataDir, PROFILE_FILE);
    // Created 0600 if missing: write it first, so the file never exists with wider rights.
    await writeFile(file, '', { flag: 'a', mode: PRIVATE_FILE_MODE });
    const worker = new Worker(WORKER, { workerData: { file, setup: SETUP } });
    const [ready] = (await once(worker, 'message')) as [Reply];
    if (ready.error === undefined) return new ProfileStore(dataDir, worker);
    await worker.terminate();
    await rm(join(dataDir, OWNER_FILE), { force: true });
    throw new SampleConfigError(
      `${file} is not a profile database (${ready.error}): move it away or set DATA_DIR to another directory`,
    );
  }

  /** The visitor's profile, or undefined if they never logged in here. */
  async find(idSubscription: string): Promise<Profile | undefined> {
    return profileOf(await this.#query(`SELECT ${COLUMNS} FROM profiles WHERE id_subscription = ?`, [idSubscription]));
  }

  /**
   * Records a login: creates the profile named `displayName` on the first one, else
   * counts the login (the name chosen before is kept). Saved before it resolves.
   */
  async recordLogin(idSubscription: string, displayName: string, at = new Date()): Promise<Profile> {
    const now = at.toISOString();
    const row = await this.#query(
      `INSERT INTO profiles (${COLUMNS}) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (id_subscription) DO UPDATE SET last_login_at = excluded.last_login_at,
         login_count = login_count + 1
       RETURNING ${COLUMNS}`,
      [idSubscription, displayName, now, now],
    );
    return profileOf(row)!;
  }

  /** Renames the visitor; undefined (nothing changed) if they have no profile here. Saved before it resolves. */
  async rename(idSubscription: string, displayName: string): Promise<Profile | undefined> {
    return profileOf(
      await this.#query(`UPDATE profiles SET display_name = ? WHERE id_subscription = ? RETURNING ${COLUMNS}`, [
        displayName,
        idSubscription,
      ]),
    );
  }

  /** Waits for the statements under way, closes the database and gives the directory up. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const exited = once(this.#worker, 'exit');
      await this.#send(undefined, []).catch(() => undefined);
      await exited;
      await rm(join(this.dataDir, OWNER_FILE), { force: true });
    })();
    return this.#closed;
  }

  /** One statement on the database thread; its failure (disk full, I/O error) as a rejection naming the file. */
  #query(sql: string, params: unknown[]): Promise<Row | null> {
    if (this.#closed) return Promise.reject(new Error(`the profile database ${this.file} is closed`));
    return this.#send(sql, params);
  }

  #send(sql: string | undefined, params: unknown[]): Promise<Row | null> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, sql, params });
    });
  }

  #answer({ id, row, error }: Reply): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (error === undefined) pending.resolve(row ?? null);
    else pending.reject(new Error(`the profile database ${this.file} failed: ${error}`));
  }

  #failAll(error: Error): void {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }
}

/**
 * Records this process as the one using `dataDir` (its pid in `profiles.sqlite.owner`).
 * Refuses while another running process has it; after one that stopped without
 * closing, removes the SQLite lock it may have left (SQLite then rolls back its
 * unfinished write from the journal).
 * @throws SampleConfigError
 */
async function claimDataDir(dataDir: string): Promise<void> {
  const owner = join(dataDir, OWNER_FILE);
  const pid = Number.parseInt(await readFile(owner, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && running(pid)) {
    throw new SampleConfigError(
      `DATA_DIR=${dataDir} is in use by process ${pid} (one process per directory): stop it, or set DATA_DIR ` +
        `to another directory (if no such process is this app, remove ${owner})`,
    );
  }
  await rm(join(dataDir, LOCK_DIR), { recursive: true, force: true });
  await writeFile(owner, `${process.pid}\n`, { mode: PRIVATE_FILE_MODE });
}
