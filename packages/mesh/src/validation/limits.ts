/** Limits of argument validation (limits as code; see docs/mesh.md#validation). */

/** Most nesting levels of a schema-checked argument; deeper input is refused before any validator runs. */
export const MAX_VALIDATED_DEPTH = 64;
/** Most issues kept on one ArgumentValidationError (a huge bad array must not build a huge error). */
export const MAX_ISSUES = 20;
/** Longest issue message kept (schema libraries may quote the offending value). */
export const MAX_ISSUE_MESSAGE = 300;
