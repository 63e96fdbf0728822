/** Test Worker for @lumenize/auth's workerd project. */
export default {
  async fetch(): Promise<Response> {
    return new Response('auth test worker');
  },
} satisfies ExportedHandler;
