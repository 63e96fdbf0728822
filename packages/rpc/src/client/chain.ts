/** The client's record of a chain: immutable nodes linked to their parent (lineage decides prefixes). */
import type { Operation } from '@lumenize/mesh/client';

export interface Call {
  readonly id: number;
  readonly node: ChainNode;
  readonly promise: Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** `then`/`catch`/`finally` was read before the flush. */
  awaited: boolean;
  state: 'queued' | 'sent' | 'settled';
}

export interface ChainNode {
  readonly parent: ChainNode | null;
  readonly op: Operation | null;
  readonly length: number;
  call?: Call;
}

export function rootNode(): ChainNode {
  return { parent: null, op: null, length: 0 };
}

export function childNode(parent: ChainNode, op: Operation): ChainNode {
  return { parent, op, length: parent.length + 1 };
}

/** Operations from the root to `node`. */
export function operationsOf(node: ChainNode): Operation[] {
  const ops: Operation[] = new Array(node.length);
  for (let n: ChainNode | null = node; n && n.op; n = n.parent) ops[n.length - 1] = n.op;
  return ops;
}

/** Dotted path of a node, for error messages. */
export function describeNode(node: ChainNode): string {
  return operationsOf(node).map((op, i) => (op.type === 'get' ? (i ? `.${String(op.key)}` : String(op.key)) : '()')).join('');
}
