/** Spec §9 ★ items 1–13 in workerd (through SELF and the utils shim; https base URLs, item 40). */
import { matrixSuite } from '../shared/matrix-suite.ts';
import { workerdFactory } from './helpers.ts';

matrixSuite(workerdFactory);
