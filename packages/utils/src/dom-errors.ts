/** A `DOMException` with the given name where the runtime has one, else an `Error` carrying that name. */
export function domError(message: string, name: 'SyntaxError' | 'InvalidAccessError' | 'InvalidStateError'): Error {
  if (typeof DOMException === 'function') return new DOMException(message, name);
  const error = new Error(message);
  error.name = name;
  return error;
}
