// Writes the README's benchmark tables from a results file (default: the published
// one, bench/published-results.json): node bench/table.mjs [results.json]
// To publish a new run: cp bench/results.json bench/published-results.json, then run this.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkTables, TABLE_END, TABLE_START } from './report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? join(ROOT, 'bench', 'published-results.json');
const results = JSON.parse(readFileSync(file, 'utf8'));
const readmePath = join(ROOT, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(TABLE_START);
const end = readme.indexOf(TABLE_END);
if (start < 0 || end < start) throw new Error('README.md has no benchmark-table markers');
writeFileSync(
  readmePath,
  `${readme.slice(0, start + TABLE_START.length)}\n\n${benchmarkTables(results)}\n\n${readme.slice(end)}`,
);
process.stdout.write(`README.md: benchmark tables from ${file}\n`);
