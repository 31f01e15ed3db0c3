import { inOrder } from './logup.db-queue.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('inOrder: the writes of one subscription, one after another', () => {
  it('starts a task only when the one before it settled, fulfilled or rejected', async () => {
    const owner = {};
    const events: string[] = [];
    let finishFirst!: () => void;
    const first = inOrder(owner, 'sub_1', async () => {
      events.push('first starts');
      await new Promise<void>((resolve) => (finishFirst = resolve));
      events.push('first ends');
      throw new Error('first failed');
    });
    const second = inOrder(owner, 'sub_1', () => {
      events.push('second starts');
      return Promise.resolve(2);
    });
    const other = inOrder(owner, 'sub_2', () => {
      events.push('another subscription runs at once');
      return Promise.resolve(3);
    });
    await tick();
    expect(events).toEqual(['first starts', 'another subscription runs at once']);
    finishFirst();
    await expect(first).rejects.toThrow('first failed');
    await expect(second).resolves.toBe(2);
    await expect(other).resolves.toBe(3);
    expect(events).toEqual(['first starts', 'another subscription runs at once', 'first ends', 'second starts']);
  });

  it('keeps the queues of two transports (two gates) apart', async () => {
    let release!: () => void;
    const held = inOrder({}, 'sub_1', () => new Promise<void>((resolve) => (release = resolve)));
    await expect(inOrder({}, 'sub_1', () => Promise.resolve('not blocked'))).resolves.toBe('not blocked');
    release();
    await held;
  });
});
