// @ungap/structured-clone ships no types for its `json` entry.
declare module '@ungap/structured-clone/json' {
  export function stringify(value: unknown): string;
  export function parse(text: string): unknown;
}
