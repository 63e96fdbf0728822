/**
 * The same "user" argument in four schema kinds: zod (Standard Schema), valibot (Standard Schema),
 * TypeBox (JSON Schema objects) and a raw JSON Schema literal. Each wants { email, age ≥ 0 integer }.
 */
import { Type } from '@sinclair/typebox';
import * as v from 'valibot';
import { z } from 'zod';

export const zodUser = z.object({ email: z.email(), age: z.number().int().min(0) });
export const valibotUser = v.object({ email: v.pipe(v.string(), v.email()), age: v.pipe(v.number(), v.integer(), v.minValue(0)) });
export const typeboxUser = Type.Object({ email: Type.String({ format: 'email' }), age: Type.Integer({ minimum: 0 }) });
export const jsonUser = {
  type: 'object',
  properties: { email: { type: 'string', format: 'email' }, age: { type: 'integer', minimum: 0 } },
  required: ['email', 'age'],
} as const;

export interface User {
  email: string;
  age: number;
}

/** A recursive schema: a tree of nodes, each with children. */
export interface TreeNode {
  children: TreeNode[];
}
export const zodTree: z.ZodType<TreeNode> = z.object({ children: z.lazy(() => z.array(zodTree)) });
