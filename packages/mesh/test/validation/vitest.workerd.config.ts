import { workerdProject } from '../../../../tools/vitest-shared.ts';

// `@mesh({ args, returns })` argument validation inside workerd (zod, valibot, TypeBox, raw JSON Schema).
export default workerdProject({ name: 'mesh:validation', include: ['*.test.ts'], exclude: ['*.node.test.ts'] });
