import { workerdProject } from '../../tools/vitest-shared.ts';

// @lumenize/fetch inside workerd: proxy, direct, executor, watchdog, exactly-once, idempotency.
export default workerdProject({ name: 'fetch:workerd', include: ['test/**/*.test.ts'] });
