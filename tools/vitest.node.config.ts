import { nodeProject } from './vitest-shared.ts';

export default nodeProject({ name: 'repo:node', include: ['test/**/*.test.ts'], testTimeout: 120_000 });
