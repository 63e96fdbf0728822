/** The ★ matrix and OCAN suites in a Node process against `wrangler dev` (Node 22's fetch and WebSocket). */
import { inject } from 'vitest';
import '../shared/provided.ts';
import { matrixSuite } from '../shared/matrix-suite.ts';
import { ocanSuite } from '../shared/ocan-suite.ts';
import { devFactory } from '../shared/dev-factory.ts';

const factory = devFactory(inject('rpcDevUrl'));
matrixSuite(factory);
ocanSuite(factory);
