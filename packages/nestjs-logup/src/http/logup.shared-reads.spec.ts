import { LogupSharedReads } from './logup.shared-reads.js';

/** A read that settles when told to. */
function pending<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('LogupSharedReads', () => {
  it('shares a read of the same path in flight, and only while it is in flight', async () => {
    const reads = new LogupSharedReads<string>();
    let calls = 0;
    const gate = pending<string>();
    const read = () => {
      calls++;
      return gate.promise;
    };
    const a = reads.read('/subscription/s/db?keys=a', read);
    const b = reads.read('/subscription/s/db?keys=a', read);
    const other = reads.read('/subscription/s/db?keys=b', () => Promise.resolve('b'));
    expect(calls).toBe(1);
    gate.resolve('a');
    expect(await Promise.all([a, b, other])).toEqual(['a', 'a', 'b']);
    expect(reads.size).toBe(0);
    await reads.read('/subscription/s/db?keys=a', read);
    expect(calls).toBe(2);
  });

  it('shares a failure too, and forgets it', async () => {
    const reads = new LogupSharedReads<string>();
    const failing = () => Promise.reject(new Error('down'));
    const both = [reads.read('/p', failing), reads.read('/p', failing)];
    await expect(Promise.all(both)).rejects.toThrow('down');
    expect(reads.size).toBe(0);
  });
});

describe('LogupSharedReads and writes', () => {
  it('detaches the reads of a DB when a write of it starts and when it ends', async () => {
    const reads = new LogupSharedReads<string>();
    const early = pending<string>();
    const write = pending<void>();
    let calls = 0;
    const read = (value: Promise<string>) => () => {
      calls++;
      return value;
    };
    void reads.read('/subscription/s/db', read(early.promise));
    const writing = reads.write('/subscription/s/db', () => write.promise);
    void reads.read('/subscription/s/db', read(new Promise<string>(() => undefined))); // during the write
    write.resolve();
    await writing;
    const after = reads.read('/subscription/s/db', read(Promise.resolve('after')));
    expect(calls).toBe(3);
    expect(await after).toBe('after');
    // Another subscription's reads are not touched.
    const elsewhere = pending<string>();
    const first = reads.read('/subscription/t/db', () => elsewhere.promise);
    await reads.write('/subscription/s/db', () => Promise.resolve());
    expect(reads.read('/subscription/t/db', () => Promise.resolve('no'))).toBe(first);
    elsewhere.resolve('t');
    early.resolve('early');
  });
});
