import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
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
 * Profiles in SQLite (sql.js: SQLite compiled to WebAssembly, no native build). sql.js
 * keeps the database in memory; every write saves the whole database to
 * `DATA_DIR/profiles.sqlite`, atomically (a temporary file, then a rename), before the
 * write counts: if saving fails the change is undone and the error thrown. One process
 * per file: several processes on one file would overwrite each other's changes.
 */
export class ProfileStore {
  readonly file: string;
  #db: Database;
  /** The database as last saved (or read at start-up): what a failed save goes back to. */
  #saved: Uint8Array | undefined;
  /** Operations run one at a time, so a save never interleaves with another change. */
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly sql: SqlJsStatic,
    readonly dataDir: string,
    saved: Uint8Array | undefined,
  ) {
    this.file = join(dataDir, PROFILE_FILE);
    this.#saved = saved;
    this.#db = this.#load(saved);
  }

  /**
   * Opens (or starts) the profile database in `dataDir`, creating the directory.
   * Refuses to start, naming the path, when the directory or the file is unusable.
   */
  static async open(dataDir: string): Promise<ProfileStore> {
    const file = join(dataDir, PROFILE_FILE);
    let saved: Uint8Array | undefined;
    try {
      await mkdir(dataDir, { recursive: true });
      saved = new Uint8Array(await readFile(file));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        throw new SampleConfigError(
          `DATA_DIR=${dataDir} cannot hold the profile database (${code ?? String(error)}): ` +
            'set DATA_DIR to a directory this process can write',
        );
      }
    }
    const sql = await initSqlJs();
    try {
      return new ProfileStore(sql, dataDir, saved);
    } catch (error) {
      throw new SampleConfigError(
        `${file} is not a profile database (${error instanceof Error ? error.message : String(error)}): ` +
          'move it away or set DATA_DIR to another directory',
      );
    }
  }

  /** The visitor's profile, or undefined if they never logged in here. */
  find(idSubscription: string): Promise<Profile | undefined> {
    return this.#serial(() => Promise.resolve(this.#select(idSubscription)));
  }

  /**
   * Records a login: creates the profile named `displayName` on the first one, else
   * counts the login (the name chosen before is kept). Saved before it returns.
   */
  recordLogin(idSubscription: string, displayName: string, at = new Date()): Promise<Profile> {
    return this.#write(() => {
      const now = at.toISOString();
      this.#db.run(
        `INSERT INTO profiles (${COLUMNS}) VALUES (?, ?, ?, ?, 1)
         ON CONFLICT (id_subscription) DO UPDATE SET last_login_at = excluded.last_login_at,
           login_count = login_count + 1`,
        [idSubscription, displayName, now, now],
      );
      return this.#select(idSubscription)!;
    });
  }

  /** Renames the visitor; undefined (nothing changed) if they have no profile here. */
  rename(idSubscription: string, displayName: string): Promise<Profile | undefined> {
    return this.#write(() => {
      this.#db.run(`UPDATE profiles SET display_name = ? WHERE id_subscription = ?`, [displayName, idSubscription]);
      if (this.#db.getRowsModified() === 0) return undefined;
      return this.#select(idSubscription);
    });
  }

  /** Waits for the operations under way; then closes the database. */
  async close(): Promise<void> {
    await this.#tail.catch(() => undefined);
    this.#db.close();
  }

  #load(bytes: Uint8Array | undefined): Database {
    const db = new this.sql.Database(bytes);
    try {
      db.run(SCHEMA);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  #select(idSubscription: string): Profile | undefined {
    const statement = this.#db.prepare(`SELECT ${COLUMNS} FROM profiles WHERE id_subscription = ?`, [idSubscription]);
    try {
      if (!statement.step()) return undefined;
      const row = statement.get();
      return {
        idSubscription: String(row[0]),
        displayName: String(row[1]),
        firstLoginAt: String(row[2]),
        lastLoginAt: String(row[3]),
        loginCount: Number(row[4]),
      };
    } finally {
      statement.free();
    }
  }

  /** A change, then a save of the whole database; if the save fails, the change is undone. */
  #write<T>(change: () => T): Promise<T> {
    return this.#serial(async () => {
      const result = change();
      try {
        await this.#save();
      } catch (error) {
        this.#db.close();
        this.#db = this.#load(this.#saved);
        throw error;
      }
      return result;
    });
  }

  async #save(): Promise<void> {
    const bytes = this.#db.export();
    // In the same directory, so the rename is atomic: readers see the old file or the new.
    const temporary = join(this.dataDir, `.${PROFILE_FILE}.${process.pid}.${randomUUID()}.tmp`);
    try {
      await writeFile(temporary, bytes, { flush: true });
      await rename(temporary, this.file);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    }
    this.#saved = bytes;
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(operation, operation);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
