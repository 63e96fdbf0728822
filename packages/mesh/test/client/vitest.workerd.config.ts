import { workerdProject } from '../../../../tools/vitest-shared.ts';

// The mesh clients project: gateway, router, LumenizeClient, pub/sub and resume, inside workerd.
export default workerdProject({ name: 'mesh-clients:workerd', include: ['*.test.ts'], exclude: ['*.node.test.ts', '*.browser.test.ts'] });
