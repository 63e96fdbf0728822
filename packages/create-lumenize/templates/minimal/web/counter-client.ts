/**
 * CounterClient: this browser tab as a mesh node (a LumenizeClient). It calls CounterDO through the
 * tab's gateway and follows its `count` topic; `onCount` runs locally when the DO publishes.
 */
import { LumenizeClient, type Subscription } from '@lumenize/mesh/client';
import '@lumenize/mesh/client/pubsub'; // enables this.lmz.subscribe

/** What the browser may call on CounterDO (a plain interface: the bundle never imports Worker code). */
export interface CounterApi {
  read(): number;
  increment(): { count: number; by: string };
}

export type CountEvent = { count: number; by: string };

export class CounterClient extends LumenizeClient {
  #listener: (event: CountEvent | Error) => void = () => {};

  read(): Promise<number> {
    return this.lmz.callRaw('COUNTER', 'main', this.ctn<CounterApi>().read()) as Promise<number>;
  }

  increment(): Promise<CountEvent> {
    return this.lmz.callRaw('COUNTER', 'main', this.ctn<CounterApi>().increment()) as Promise<CountEvent>;
  }

  /** Follows the counter; an Error arrives once if the subscription is refused. */
  follow(listener: (event: CountEvent | Error) => void): Subscription {
    this.#listener = listener;
    return this.lmz.subscribe('COUNTER', 'main', 'count', this.ctn<CounterClient>().onCount(this.ctn().$result));
  }

  /** Subscription handler (local only: nobody can call it from outside). */
  onCount(event: CountEvent | Error): void {
    this.#listener(event);
  }
}
