/** The Durable Object behind mesh:validation: one method per schema kind, each storing what it got. */
import { Validator } from '@cfworker/json-schema';
import { z } from 'zod';
import { LumenizeDO, mesh } from '../../src/index.ts';
import { useJsonSchemaValidator } from '../../src/validation/index.ts';
import { jsonUser, typeboxUser, valibotUser, zodTree, zodUser, type TreeNode, type User } from './schemas.ts';

useJsonSchemaValidator(Validator);

class Forbidden extends Error {
  override name = 'Forbidden';
}

/** An async refinement: fine on ordinary calls, refused by synchronous (transactional) execution. */
const asyncName = z.string().refine(async (s) => s !== 'taken', 'name is taken');

export class ValidatedDO extends LumenizeDO {
  #store(key: string, value: unknown): void {
    this.ctx.storage.kv.put(key, value);
    this.ctx.storage.kv.put('calls', ((this.ctx.storage.kv.get('calls') as number | undefined) ?? 0) + 1);
  }

  @mesh({ args: [zodUser] })
  saveZod(user: User): User {
    this.#store('zod', user);
    return user;
  }

  @mesh({ args: [valibotUser] })
  saveValibot(user: User): User {
    this.#store('valibot', user);
    return user;
  }

  @mesh({ args: [typeboxUser] })
  saveTypebox(user: User): User {
    this.#store('typebox', user);
    return user;
  }

  @mesh({ args: [jsonUser] })
  saveJson(user: User): User {
    this.#store('json', user);
    return user;
  }

  /** Two arguments: the index in errors is the second one's. */
  @mesh({ args: [z.string(), z.number().max(10)] })
  pair(label: string, n: number): string {
    this.#store('pair', [label, n]);
    return `${label}:${n}`;
  }

  /** Transforms and defaults reach the method (the schema's output, not the raw input). */
  @mesh({ args: [z.string().trim().toLowerCase(), z.number().default(7)] })
  normalize(tag: string, weight: number): [string, number] {
    return [tag, weight];
  }

  @mesh({ args: [z.array(z.number())] })
  sum(values: number[]): number {
    return values.reduce((a, b) => a + b, 0);
  }

  @mesh({ args: [zodTree] })
  saveTree(tree: TreeNode): number {
    this.#store('tree', true);
    return tree.children.length;
  }

  @mesh({ args: [asyncName] })
  claim(name: string): string {
    this.#store('claimed', name);
    return name;
  }

  @mesh({ returns: z.number() })
  badReturn(): number {
    return 'not a number' as unknown as number;
  }

  @mesh({ returns: z.number() })
  async goodAsyncReturn(): Promise<number> {
    return 42;
  }

  /** Guard first: a refused caller learns nothing about the schema and the validator does not run. */
  @mesh({
    guard: (i: ValidatedDO) => {
      if (i.lmz.callContext.state.role !== 'admin') throw new Forbidden('admins only');
    },
    args: [z.number().int()],
  })
  setLimit(limit: number): number {
    this.#store('limit', limit);
    return limit;
  }

  /** No schema at all: unchanged behaviour. */
  @mesh
  plain(x: unknown): unknown {
    return x;
  }
}
