/**
 * Stand-ins for the validation error classes (src/error-stand-ins.ts): until a real class is
 * loaded (errors.ts imports this module first, then registers each real class over its stand-in),
 * such an error arriving from another node revives with its name, its base and its fields.
 */
import { registerStandIns } from '../error-stand-ins.ts';

registerStandIns([
  ['ArgumentValidationError', TypeError],
  ['ReturnValidationError', TypeError],
  ['JsonSchemaValidatorMissingError', Error],
  ['AsyncSchemaError', TypeError],
]);
