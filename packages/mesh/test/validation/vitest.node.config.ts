import { nodeProject } from '../../../../tools/vitest-shared.ts';

// The runtime-neutral validation core in plain Node (schema detection, definition-time errors, types).
export default nodeProject({ name: 'mesh:validation-node', include: ['*.node.test.ts'] });
