/** Fan-out errors (mesh spec §9 item 11). Registered so they cross every transport as themselves. */
import { registerErrorClass } from '@lumenize/structured-clone';

/** Which fan-out limit or rule a refused send broke. */
export type FanoutLimitCode = 'TOO_MANY_RECIPIENTS' | 'INVALID_OPTION' | 'INVALID_RECIPIENT' | 'MISSING_FANOUT_BINDING';

/**
 * `svc.fanout.send` refused its input (too many recipients, a bad recipient or option, no fan-out
 * binding). Thrown synchronously; nothing was sent. `code` says which rule, `limit` the bound.
 */
export class FanoutLimitError extends Error {
  code: FanoutLimitCode;
  limit: number;
  constructor(message: string, code: FanoutLimitCode, limit: number) {
    super(message);
    this.name = 'FanoutLimitError';
    this.code = code;
    this.limit = limit;
  }
}
registerErrorClass(FanoutLimitError);

/**
 * A fan-out branch (a LumenizeFanoutWorker, or one recipient's call) threw or did not answer in
 * time; each recipient it held is reported under `failed` with this error (delivery unknown).
 */
export class FanoutBranchError extends Error {
  recipients: number;
  constructor(message: string, recipients: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FanoutBranchError';
    this.recipients = recipients;
  }
}
registerErrorClass(FanoutBranchError);
