import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { LogupDb } from './emulator.types.js';

/** A person, as LogUp knows them. */
export interface Actor {
  idActor: string;
  email: string;
}

/** A subscription as the data file keeps it. */
export interface SavedSubscription {
  idSubscription: string;
  idActor: string;
  idGate: string;
  db: LogupDb;
}

/** What the data file holds. */
export interface SavedData {
  actors: Actor[];
  subscriptions: SavedSubscription[];
}

/** Reads the data file; undefined when it does not exist yet. */
export function readDataFile(file: string): SavedData | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const data = JSON.parse(raw) as Partial<SavedData>;
  if (!Array.isArray(data.actors) || !Array.isArray(data.subscriptions)) {
    throw new Error(`logup-emulator: ${file} is not an emulator data file`);
  }
  return data as SavedData;
}

/** Writes the data file atomically (a temporary file, then a rename). */
export function writeDataFile(file: string, data: SavedData): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(data));
  renameSync(`${file}.tmp`, file);
}
