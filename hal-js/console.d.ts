// jsk:console — value formatting and the console object (also the global `console`).
declare module "jsk:console" {
  /** Node-style readable text for any value; nested deeper than `depth` shows as [Object]. */
  export function inspect(value: unknown, opts?: { depth?: number; breakLength?: number }): string;
  /** printf-style: %s %d %i %f %j %o %O %c %%; remaining arguments are inspected. */
  export function format(...args: unknown[]): string;
  /** Write the whole string to fd, retrying short writes; errors are ignored. */
  export function writeAll(fd: number, text: string): void;
  export const console: Console;
}
