/**
 * A resource method's return value as `resources/read` contents: a string is one text content, an
 * object `{ text }` or `{ blob }` (bytes, or a base64 string) one content, an array several. Anything
 * else is `undefined` (the server answers -32603). Runtime-neutral.
 */
import type { BlobResourceContents, TextResourceContents } from '@modelcontextprotocol/sdk/types.js';
import { isPlainObject } from './schema-describe.ts';
import { MAX_URI_LENGTH } from './subscriptions.ts';

type ResourceContents = TextResourceContents | BlobResourceContents;

/** Most content items one read may return. */
export const MAX_RESOURCE_CONTENTS = 100;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked: String.fromCharCode(...bytes) overflows the stack on large arrays.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function one(item: unknown, uri: string, mimeType: string | undefined): ResourceContents | undefined {
  if (typeof item === 'string') return { uri, ...(mimeType ? { mimeType } : {}), text: item };
  if (!isPlainObject(item)) return undefined;
  const own = item.uri === undefined ? uri : typeof item.uri === 'string' && item.uri !== '' && item.uri.length <= MAX_URI_LENGTH ? item.uri : undefined;
  const type = item.mimeType === undefined ? mimeType : typeof item.mimeType === 'string' ? item.mimeType : null;
  if (own === undefined || type === null) return undefined;
  const head = { uri: own, ...(type ? { mimeType: type } : {}) };
  if (typeof item.text === 'string' && item.blob === undefined) return { ...head, text: item.text };
  if (item.text !== undefined) return undefined;
  if (item.blob instanceof Uint8Array) return { ...head, blob: toBase64(item.blob) };
  if (typeof item.blob === 'string' && item.blob.length % 4 === 0 && BASE64.test(item.blob)) return { ...head, blob: item.blob };
  return undefined;
}

/** The contents for `value`, or `undefined` when it is not a string, a text/blob content or an array of them. */
export function toContents(value: unknown, uri: string, mimeType: string | undefined): ResourceContents[] | undefined {
  const items = Array.isArray(value) ? value : [value];
  if (items.length > MAX_RESOURCE_CONTENTS) return undefined;
  const contents: ResourceContents[] = [];
  for (const item of items) {
    const content = one(item, uri, mimeType);
    if (!content) return undefined;
    contents.push(content);
  }
  return contents;
}
