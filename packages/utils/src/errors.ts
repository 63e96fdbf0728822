/**
 * Routing errors. Each carries a stable `code` and the HTTP status a Worker should answer with
 * (`httpErrorCode`), so callers can map them to responses without parsing messages.
 */

/**
 * The URL named a DO binding but no instance (`/my-do` or `/my-do/`).
 * @example if (e instanceof MissingInstanceNameError) return new Response(e.message, { status: e.httpErrorCode });
 */
export class MissingInstanceNameError extends Error {
  override readonly name = 'MissingInstanceNameError';
  readonly code = 'MISSING_INSTANCE_NAME';
  readonly httpErrorCode = 400;

  constructor(bindingName: string) {
    super(`Missing instance name or id after the binding segment for '${bindingName}': use /<binding>/<instance-name-or-id>`);
  }
}

/**
 * A URL segment matched more than one DO binding on `env` (e.g. `MY_DO` and `MyDo` for `my-do`).
 * @example catch (e) { if (e instanceof MultipleBindingsFoundError) console.log(e.matchedBindings); }
 */
export class MultipleBindingsFoundError extends Error {
  override readonly name = 'MultipleBindingsFoundError';
  readonly code = 'MULTIPLE_BINDINGS_FOUND';
  readonly httpErrorCode = 400;
  readonly matchedBindings: readonly string[];

  constructor(segment: string, matchedBindings: string[]) {
    super(`URL segment '${segment}' matches several Durable Object bindings (${matchedBindings.join(', ')}); rename one binding or use its exact name in the URL`);
    this.matchedBindings = Object.freeze([...matchedBindings]);
  }
}

/**
 * A 64-hex segment looked like a Durable Object id but the namespace rejected it.
 * @example catch (e) { if (e instanceof InvalidInstanceIdError) return new Response('bad id', { status: 400 }); }
 */
export class InvalidInstanceIdError extends Error {
  override readonly name = 'InvalidInstanceIdError';
  readonly code = 'INVALID_INSTANCE_ID';
  readonly httpErrorCode = 400;

  constructor(id: string, options?: { cause?: unknown }) {
    super(`'${id}' is not a Durable Object id of this namespace; pass an id from this namespace or use a name that is not 64 hex characters`, options);
  }
}

/**
 * A 64-hex instance id reached a router that accepts instance names only (`allowIdAddressing: false`).
 * Ids address instances the app never named, so routers that expose only named instances refuse them.
 * @example catch (e) { if (e instanceof InstanceIdNotAllowedError) return new Response(e.message, { status: e.httpErrorCode }); }
 */
export class InstanceIdNotAllowedError extends Error {
  override readonly name = 'InstanceIdNotAllowedError';
  readonly code = 'INSTANCE_ID_NOT_ALLOWED';
  readonly httpErrorCode = 400;

  constructor(id: string) {
    super(`'${id}' is a 64-hex Durable Object id, but this router accepts instance names only: address the instance by name, or set allowIdAddressing: true`);
  }
}
