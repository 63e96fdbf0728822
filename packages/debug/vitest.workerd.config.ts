import { workerdProject } from '../../tools/vitest-shared.ts';

export default workerdProject({ name: 'debug:workerd', include: ['test/debug.test.ts', 'test/hostile.test.ts', 'test/durable-object.test.ts'] });
