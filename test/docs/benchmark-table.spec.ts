// The README's benchmark tables are generated from bench/published-results.json
// (node bench/table.mjs), never typed by hand, and no target is called met unless
// every round met it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkTables, comparison, TABLE_END, TABLE_START, type BenchResults } from '../../bench/report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const results = JSON.parse(readFileSync(join(ROOT, 'bench', 'published-results.json'), 'utf8')) as BenchResults;

describe('the README benchmark', () => {
  it('shows exactly the tables generated from bench/published-results.json', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    expect(readme.slice(start + TABLE_START.length, end).trim()).toBe(benchmarkTables(results));
  });

  it('keeps every round of every row, and reads a target as met only when every round meets it', () => {
    for (const entry of results.comparisons) {
      expect(results.rows[entry.baseline].rounds).toHaveLength(results.rounds);
      expect(results.rows[entry.subject].rounds).toHaveLength(results.rounds);
      const c = comparison(results, entry);
      expect(c.verdict === 'met').toBe(c.ratios.every((ratio) => ratio >= entry.target));
    }
  });

  it('does not call a target met on its best round alone', () => {
    const baseline = { rounds: [{ throughput: 100 }, { throughput: 100 }, { throughput: 100 }] };
    const subject = { rounds: [{ throughput: 97 }, { throughput: 70 }, { throughput: 72 }] };
    const fake = { rows: { a: baseline, b: subject } } as unknown as BenchResults;
    const c = comparison(fake, { label: 'x', baseline: 'a', subject: 'b', target: 0.9 });
    expect(c.max).toBeCloseTo(0.97);
    expect(c.value).toBeCloseTo(0.72);
    expect(c.verdict).toBe('missed');
  });
});
