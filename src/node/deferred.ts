/** A promise with its settle functions (Promise.withResolvers is not in Node.js 20). */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody awaits must not crash the process; awaiting callers still see it.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
