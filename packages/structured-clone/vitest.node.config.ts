import { nodeProject } from '../../tools/vitest-shared.ts';

export default nodeProject({ name: 'structured-clone:node', testTimeout: 60_000 });
