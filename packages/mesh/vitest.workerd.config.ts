import { workerdProject } from '../../tools/vitest-shared.ts';

// Core (LumenizeDO, LumenizeWorker, OCAN, callContext, services) runs against test/worker.ts.
export default workerdProject({ name: 'mesh:workerd', include: ['test/core/**/*.test.ts'] });
