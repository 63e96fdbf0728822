/** Spec §9 items 14–24 and 41–44 in workerd. */
import { ocanSuite } from '../shared/ocan-suite.ts';
import { workerdFactory } from './helpers.ts';

ocanSuite(workerdFactory);
