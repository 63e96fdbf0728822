/** Waiting for branches with a bound, so a stuck branch is reported instead of holding the tree. */
import { FanoutBranchError } from './errors.ts';

/**
 * One deadline `ms` from now shared by every branch a node starts at once: one timer per node,
 * not one per recipient (a timer each cost ~5 µs per delivery here, bench/fanout/README.md).
 */
export interface Deadline {
  /** `promise`, or a FanoutBranchError naming `what` once the deadline passes. A late outcome is observed and dropped. */
  race<T>(promise: Promise<T>, what: string, recipients: number): Promise<T>;
  /** Stops the timer (call once every raced branch has settled). */
  clear(): void;
}

/** A deadline `ms` from now. */
export function deadline(ms: number): Deadline {
  const pending = new Set<() => void>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let expired = false;
  return {
    race<T>(promise: Promise<T>, what: string, recipients: number): Promise<T> {
      timer ??= setTimeout(() => {
        expired = true;
        for (const expire of [...pending]) expire();
      }, ms);
      return new Promise<T>((resolve, reject) => {
        const expire = () => {
          pending.delete(expire);
          promise.catch(() => {});
          reject(new FanoutBranchError(`${what} did not answer within ${ms} ms; delivery to its ${recipients} recipient(s) is unknown`, recipients));
        };
        pending.add(expire);
        if (expired) expire(); // raced after the deadline passed
        promise.then(
          (value) => {
            if (pending.delete(expire)) resolve(value);
          },
          (error: unknown) => {
            if (pending.delete(expire)) reject(error);
          },
        );
      });
    },
    clear(): void {
      clearTimeout(timer);
      pending.clear();
    },
  };
}
