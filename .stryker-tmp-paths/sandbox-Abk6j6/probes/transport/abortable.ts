/**
 * Wraps one socket exchange in a promise that settles once: with the value the exchange
 * hands to `settle`, or rejected with the signal's reason on abort. `begin` starts the
 * exchange and returns how to clean it up (close the socket); cleanup always runs first.
 */
// @ts-nocheck

export function abortable<T>(signal: AbortSignal, begin: (settle: (value: T) => void) => () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const reason = (): Error => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) {
      reject(reason());
      return;
    }
    let settled = false;
    const finish = (then: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      // Deferred: a `begin` that settles before it returns has not handed over cleanup yet.
      queueMicrotask(() => {
        cleanup();
      });
      then();
    };
    const onAbort = (): void => {
      finish(() => {
        reject(reason());
      });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = begin((value) => {
      finish(() => {
        resolve(value);
      });
    });
  });
}
