// jsk:test — named tests and assertions for `jsk test`.
declare module "jsk:test" {
  export interface TestOptions {
    /** Milliseconds before the test fails as timed out (default 30000). */
    timeout?: number;
    /** Skip the test; a string gives the reason. */
    skip?: boolean | string;
    /** Run only the tests marked `only` in this file. */
    only?: boolean;
  }
  export function test(name: string, fn: () => unknown | Promise<unknown>, options?: TestOptions): void;
  export namespace test {
    function skip(name: string, fn: () => unknown, options?: TestOptions): void;
    function only(name: string, fn: () => unknown, options?: TestOptions): void;
  }
  /** Thrown by every assertion; carries `actual`, `expected` and `operator`. */
  export class AssertionError extends Error {
    actual: unknown;
    expected: unknown;
    operator: string;
  }
  type Matcher = (new (...a: any[]) => Error) | RegExp | ((e: unknown) => boolean) | Record<string, unknown>;
  export const assert: {
    /** @throws AssertionError unless value is truthy */
    ok(value: unknown, message?: string): void;
    /** @throws AssertionError unless Object.is(actual, expected) */
    equal<T>(actual: T, expected: T, message?: string): void;
    notEqual(actual: unknown, expected: unknown, message?: string): void;
    /** Structural equality; the error shows a line diff (+ actual, - expected). */
    deepEqual<T>(actual: T, expected: T, message?: string): void;
    notDeepEqual(actual: unknown, expected: unknown, message?: string): void;
    match(s: string, re: RegExp, message?: string): void;
    /** Returns the error thrown. @throws AssertionError if nothing was thrown or it does not match. */
    throws(fn: () => unknown, matcher?: Matcher, message?: string): unknown;
    /** Resolves with the rejection reason. */
    rejects(p: Promise<unknown> | (() => Promise<unknown>), matcher?: Matcher, message?: string): Promise<unknown>;
    fail(message?: string): never;
  };
  export const ok: typeof assert.ok, equal: typeof assert.equal, notEqual: typeof assert.notEqual,
    deepEqual: typeof assert.deepEqual, notDeepEqual: typeof assert.notDeepEqual, match: typeof assert.match,
    throws: typeof assert.throws, rejects: typeof assert.rejects;
}
