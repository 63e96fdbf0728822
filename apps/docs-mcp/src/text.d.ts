/** `.txt` files are imported as strings (wrangler's default Text rule). */
declare module '*.txt' {
  const text: string;
  export default text;
}
