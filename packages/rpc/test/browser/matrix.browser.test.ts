/** The ★ matrix and OCAN suites in real Chromium against `wrangler dev` (the browser's fetch and WebSocket). */
import { inject } from 'vitest';
import '../shared/provided.ts';
import { matrixSuite } from '../shared/matrix-suite.ts';
import { ocanSuite } from '../shared/ocan-suite.ts';
import { devFactory } from '../shared/dev-factory.ts';

const factory = devFactory(inject('rpcDevUrl'));
matrixSuite(factory);
ocanSuite(factory);
