// jsk:console — value formatting and the console object (also the global `console`).
declare module "jsk:console" {
  /** Node-style readable text for any value; nested deeper than `depth` shows as [Object]. */
  export function inspect(value: unknown, opts?: { depth?: number; breakLength?: number }): string;
  /** printf-style: %s %d %i %f %j %o %O %c %%; remaining arguments are inspected. */
  export function format(...args: unknown[]): string;
  /** Write the whole string to fd, retrying short writes; errors are ignored. */
  export function writeAll(fd: number, text: string): void;
  export const console: {
    log(...a: unknown[]): void; info(...a: unknown[]): void; debug(...a: unknown[]): void;
    warn(...a: unknown[]): void; error(...a: unknown[]): void; trace(...a: unknown[]): void;
    dir(v: unknown, opts?: { depth?: number }): void; assert(cond: unknown, ...a: unknown[]): void;
    time(label?: string): void; timeEnd(label?: string): void; timeLog(label?: string, ...a: unknown[]): void;
    count(label?: string): void; group(...a: unknown[]): void; groupEnd(): void;
  };
}
