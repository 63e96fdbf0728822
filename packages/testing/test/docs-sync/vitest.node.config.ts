import { nodeProject } from '../../../../tools/vitest-shared.ts';

// docs/testing.md's examples are the bodies of test/workerd/guide.test.ts: checked in plain Node.
export default nodeProject({ name: 'testing:docs', include: ['*.node.test.ts'] });
