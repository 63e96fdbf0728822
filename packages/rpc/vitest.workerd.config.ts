import { workerdProject } from '../../tools/vitest-shared.ts';

// The §9 matrix inside workerd against test/worker.ts (both transports, wrapper and manual routing).
export default workerdProject({ name: 'rpc:workerd', include: ['test/workerd/**/*.test.ts'] });
