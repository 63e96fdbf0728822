import { workerdProject } from '../../tools/vitest-shared.ts';

export default workerdProject({ name: 'structured-clone:workerd', exclude: ['test/**/*.node.test.ts'] });
