/** `Subscription.ready`: one promise per subscription, settled once by whichever outcome comes first. */
export interface Readiness {
  readonly ready: Promise<void>;
  /** The publisher admitted the subscription. */
  admit(): void;
  /** The publisher refused it, or it was closed first. */
  refuse(error: Error): void;
}

export function readiness(): Readiness {
  let admit!: () => void;
  let refuse!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => ([admit, refuse] = [resolve, reject]));
  ready.catch(() => {}); // nobody has to await it: a refusal also reaches the handler
  return { ready, admit, refuse };
}

export function closedBeforeAdmitted(topic: string): Error {
  return new Error(`Subscription to '${topic}' was closed before the publisher admitted it`);
}
