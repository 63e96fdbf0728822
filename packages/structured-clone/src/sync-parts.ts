/**
 * The seam between the codec and RequestSync/ResponseSync, so the codec never imports those
 * classes: an instance describes itself to the encoder through a method under {@link SYNC_PARTS},
 * and the decoder builds instances through revivers, either handed to it (`postprocess`) or
 * registered by each class when its module loads (`postprocessLoaded`). A bundle whose code
 * decodes only through `postprocessLoaded` and never names the classes leaves them out.
 */

/** Package-internal method key: `value[SYNC_PARTS]()` describes a real instance (undefined otherwise). */
export const SYNC_PARTS: unique symbol = Symbol('lmz.syncParts');

/** What the encoder writes for one RequestSync/ResponseSync: plain fields plus headers and body. */
export interface SyncParts {
  tag: 'request-sync' | 'response-sync';
  /** Plain-data fields written as they are, in wire order (before headers and body). */
  fields: Record<string, unknown>;
  /** Plain-data fields written after headers and body. */
  trailing: Record<string, unknown>;
  headers: Headers;
  body: unknown;
}

/** What a reviver gets from the decoder for the entry it builds. */
export interface SyncEntryAccess {
  /** Decodes `x`; a reference must not point at an entry whose tag is outside `tags` (`what` names it). */
  ref(x: unknown, tags: readonly string[], what: string): unknown;
  /** The decoder's BAD_PAYLOAD error for this entry, saying `problem`. */
  bad(problem: string): Error;
}

/**
 * Checks a `request-sync`/`response-sync` payload and builds the instance. The checks live with the
 * classes, not in the decoder, so a bundle without the classes carries neither.
 */
export type SyncReviver = (payload: unknown, entry: SyncEntryAccess) => object;

/** Revivers by tag. */
export interface SyncRevivers {
  'request-sync': SyncReviver;
  'response-sync': SyncReviver;
}

const registered: Partial<SyncRevivers> = {};

/** Package-internal: each class registers its reviver when its module is evaluated. */
export function registerSyncReviver(tag: keyof SyncRevivers, revive: SyncReviver): void {
  registered[tag] = revive;
}

/** Package-internal: the revivers registered so far. */
export function registeredSyncRevivers(): Partial<SyncRevivers> {
  return registered;
}
