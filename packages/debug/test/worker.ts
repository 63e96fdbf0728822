/** Test Worker for the workerd project: a Durable Object that logs through a class-field logger. */
import { DurableObject } from 'cloudflare:workers';
import { debug } from '../src/index.ts';

export class MyDO extends DurableObject {
  #log = debug(this);

  override async fetch(request: Request): Promise<Response> {
    this.#log('MyDO.fetch').info('handled', { path: new URL(request.url).pathname });
    this.#log('OtherDO.fetch').info('filtered out');
    return new Response('ok');
  }
}

export default {
  async fetch(): Promise<Response> {
    return new Response('debug test worker');
  },
} satisfies ExportedHandler;
