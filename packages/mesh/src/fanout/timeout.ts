/** Waiting for a branch with a bound, so a stuck branch is reported instead of holding the tree. */
import { FanoutBranchError } from './errors.ts';

/** `promise`, or a FanoutBranchError after `ms`. A late outcome is observed and dropped. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, recipients: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      promise.catch(() => {});
      reject(new FanoutBranchError(`${what} did not answer within ${ms} ms; delivery to its ${recipients} recipient(s) is unknown`, recipients));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
