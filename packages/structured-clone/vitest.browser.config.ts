import { browserProject } from '../../tools/vitest-shared.ts';

export default browserProject({ name: 'structured-clone:browser', exclude: ['test/**/*.node.test.ts'] });
