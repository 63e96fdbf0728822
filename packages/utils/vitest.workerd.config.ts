import { workerdProject } from '../../tools/vitest-shared.ts';

export default workerdProject({ name: 'utils:workerd', include: ['test/**/*.test.ts'] });
