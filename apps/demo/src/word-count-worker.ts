/**
 * WordCountWorker: a stateless mesh Worker that DocumentDO calls after every edit. It shows call
 * context propagation: two hops away from the browser it still knows which tab started the chain
 * and which verified user is behind it.
 */
import { LumenizeWorker, mesh } from '@lumenize/mesh';
import type { WordStats } from './shared/document-api.ts';
import type { DemoEnv } from './env.ts';

/** Words are runs of letters or digits (apostrophes and hyphens inside a word are fine). */
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/**
 * Counts words for DocumentDO (binding `WORD_COUNT`, no instance).
 * @example this.lmz.call('WORD_COUNT', undefined, this.ctn<WordCountWorker>().count(text, 7), this.ctn().wordCounted(this.ctn().$result));
 */
export class WordCountWorker extends LumenizeWorker<DemoEnv> {
  /** Only DocumentDOs may ask (a browser could otherwise call it through its gateway). */
  @mesh((worker: WordCountWorker) => {
    const caller = worker.lmz.callContext.caller;
    if (caller.type !== 'LumenizeDO' || caller.bindingName !== 'DOCUMENT') throw new Error('WordCountWorker.count is only for DocumentDO');
  })
  count(text: string, version: number): WordStats {
    if (typeof text !== 'string' || !Number.isSafeInteger(version)) throw new TypeError('count(text, version): expected a string and a whole number');
    const { callChain, originAuth } = this.lmz.callContext;
    const email = originAuth?.claims?.email;
    return {
      version,
      words: text.match(WORD)?.length ?? 0,
      characters: text.length,
      countedFor: originAuth ? { userId: originAuth.userId, email: typeof email === 'string' ? email : null } : null,
      callChain: callChain.map((hop) => ({ type: hop.type, bindingName: hop.bindingName, ...(hop.instanceName ? { instanceName: hop.instanceName } : {}) })),
    };
  }
}
