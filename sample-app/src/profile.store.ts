import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { ensurePrivateDir, ensurePrivateFiles, PRIVATE_FILE_MODE } from './data-dir.js';
import { SampleConfigError } from './sample.config.js';

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
 * and writing the file through Node's `fs`; no native build). A change is one statement
 * in its own transaction, appended to the write-ahead log before it returns: it writes
 * the pages it touches, not the whole database, and SQLite rolls it back if it fails.
 * Statements run synchronously and take a fraction of a millisecond, so a read never
 * waits behind a queue of writes. `DATA_DIR` must be this user's own private directory
 * (see `ensurePrivateDir`); the files are 0600. The process holds the database
 * exclusively: another process can neither use the directory (refused at start-up)
 * nor read the file while the app runs.
 */
export class ProfileStore {
  readonly file: string;
  readonly #db: sqlite.Database;

  private constructor(
    readonly dataDir: string,
    db: sqlite.Database,
  ) {
    this.file = join(dataDir, PROFILE_FILE);
    this.#db = db;
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
    let db: sqlite.Database | undefined;
    try {
      // Created 0600 if missing: write it first, so the file never exists with wider rights.
      await writeFile(file, '', { flag: 'a', mode: PRIVATE_FILE_MODE });
      db = new sqlite.Database(file);
      // WAL in exclusive mode (node-sqlite3-wasm has no shared memory for a WAL index):
      // a commit appends its pages to profiles.sqlite-wal with no fsync, which waits for
      // the occasional checkpoint, so a write never holds the event loop for a disk
      // sync. Durable across a crash of the process; a power loss may lose the last
      // commits, never the database (synchronous=NORMAL).
      db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');
      db.exec(SCHEMA);
      return new ProfileStore(dataDir, db);
    } catch (error) {
      db?.close();
      await rm(join(dataDir, OWNER_FILE), { force: true });
      if (error instanceof SampleConfigError) throw error;
      throw new SampleConfigError(
        `${file} is not a profile database (${error instanceof Error ? error.message : String(error)}): ` +
          'move it away or set DATA_DIR to another directory',
      );
    }
  }

  /** The visitor's profile, or undefined if they never logged in here. */
  find(idSubscription: string): Promise<Profile | undefined> {
    return this.#run(() =>
      profileOf(this.#db.get(`SELECT ${COLUMNS} FROM profiles WHERE id_subscription = ?`, [idSubscription])),
    );
  }

  /**
   * Records a login: creates the profile named `displayName` on the first one, else
   * counts the login (the name chosen before is kept). Saved before it returns.
   */
  recordLogin(idSubscription: string, displayName: string, at = new Date()): Promise<Profile> {
    const now = at.toISOString();
    return this.#run(() =>
      profileOf(
        this.#db.get(
          `INSERT INTO profiles (${COLUMNS}) VALUES (?, ?, ?, ?, 1)
             ON CONFLICT (id_subscription) DO UPDATE SET last_login_at = excluded.last_login_at,
               login_count = login_count + 1
             RETURNING ${COLUMNS}`,
          [idSubscription, displayName, now, now],
        ),
      )!,
    );
  }

  /** Renames the visitor; undefined (nothing changed) if they have no profile here. Saved before it returns. */
  rename(idSubscription: string, displayName: string): Promise<Profile | undefined> {
    return this.#run(() =>
      profileOf(
        this.#db.get(`UPDATE profiles SET display_name = ? WHERE id_subscription = ? RETURNING ${COLUMNS}`, [
          displayName,
          idSubscription,
        ]),
      ),
    );
  }

  /** Closes the database and gives the directory up. */
  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    await rm(join(this.dataDir, OWNER_FILE), { force: true });
  }

  /** One statement; its failure (disk full, I/O error) as a rejection naming the file. */
  #run<T>(statement: () => T): Promise<T> {
    try {
      return Promise.resolve(statement());
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.reject(new Error(`the profile database ${this.file} failed: ${reason}`, { cause: error }));
    }
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
