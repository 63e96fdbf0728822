/**
 * The one error the scaffolder throws for bad input or a failed step. `code` is stable:
 * USAGE, UNKNOWN_TEMPLATE, INVALID_NAME, TARGET_NOT_EMPTY, PACKAGES_NOT_FOUND, PACKAGE_MISSING,
 * TEMPLATE_INCOMPLETE, INSTALL_FAILED.
 */
export class ScaffoldError extends Error {
  name = 'ScaffoldError';

  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
