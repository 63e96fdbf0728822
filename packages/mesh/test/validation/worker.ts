/** Test Worker for mesh:validation. */
export { ValidatedDO } from './nodes.ts';

export default {
  async fetch(): Promise<Response> {
    return new Response('lumenize mesh validation test worker');
  },
} satisfies ExportedHandler;
