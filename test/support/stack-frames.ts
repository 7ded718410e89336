/** How many stack frames an error (an abort reason) captured: 0 for one made without a stack (errors.ts withoutStack). */
export function stackFrames(error: unknown): number {
  return String((error as Error).stack).split('\n').filter((line) => line.trimStart().startsWith('at ')).length;
}
