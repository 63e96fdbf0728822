import { workerdProject } from '../../../../tools/vitest-shared.ts';

// The test endpoints (spec testing §2.6, §3.9) inside workerd, with their own test Worker.
export default workerdProject({ name: 'testing:endpoints', include: ['*.test.ts'] });
