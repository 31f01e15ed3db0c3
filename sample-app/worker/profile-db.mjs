// The profile database's own thread. node-sqlite3-wasm reads and writes the file with
// synchronous fs calls, so they run here, one statement at a time, and never hold the
// app's event loop (its LogUp calls, its other visitors) while the disk is busy.
// Messages: { id, sql, params } -> { id, row } or { id, error }; { id } alone closes.
// Plain JavaScript, so that the built app and the TypeScript tests run the same file.
import { parentPort, workerData } from 'node:worker_threads';
import sqlite from 'node-sqlite3-wasm';

const message = (error) => (error instanceof Error ? error.message : String(error));

let db;
try {
  db = new sqlite.Database(workerData.file);
  db.exec(workerData.setup);
  parentPort.postMessage({ id: 0 });
} catch (error) {
  if (db?.isOpen) db.close();
  db = undefined;
  parentPort.postMessage({ id: 0, error: message(error) });
}

parentPort.on('message', ({ id, sql, params }) => {
  if (sql === undefined) {
    try {
      if (db?.isOpen) db.close();
      parentPort.postMessage({ id });
    } catch (error) {
      parentPort.postMessage({ id, error: message(error) });
    }
    db = undefined;
    parentPort.close();
    return;
  }
  try {
    if (!db) throw new Error('the database is closed');
    parentPort.postMessage({ id, row: db.get(sql, params) });
  } catch (error) {
    parentPort.postMessage({ id, error: message(error) });
  }
});
