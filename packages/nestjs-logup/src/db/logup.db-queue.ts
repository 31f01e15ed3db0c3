/** The tail of each subscription's queue, per transport (one per gate). */
const queues = new WeakMap<object, Map<string, Promise<void>>>();
const noop = () => undefined;

/**
 * Runs `task` after every task queued before it for the same subscription on the
 * same transport has settled (fulfilled or not): the DB writes of one subscription
 * in one process are applied in call order. Idle subscriptions hold no memory.
 */
export function inOrder<T>(owner: object, idSubscription: string, task: () => Promise<T>): Promise<T> {
  let tails = queues.get(owner);
  if (!tails) queues.set(owner, (tails = new Map()));
  const queue = tails;
  // An idle subscription starts at once: a read made right after this call is made
  // after the write started (and so never shares an answer from before it).
  const previous = queue.get(idSubscription);
  const run = previous ? previous.then(task) : task();
  const tail = run.then(noop, noop);
  queue.set(idSubscription, tail);
  void tail.then(() => {
    if (queue.get(idSubscription) === tail) queue.delete(idSubscription);
  });
  return run;
}
