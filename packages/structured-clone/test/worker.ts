/** Test Worker for the workerd project: the suites import the codec directly; this only has to exist. */
export default {
  async fetch(): Promise<Response> {
    return new Response('structured-clone test worker');
  },
} satisfies ExportedHandler;
