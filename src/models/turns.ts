/** Let other work run: setImmediate where it exists (Node), since setTimeout(0) costs at least a millisecond. */
export const nextTurn = (): Promise<void> =>
  new Promise<void>((resolve) => {
    const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
    if (immediate) immediate(resolve);
    else setTimeout(resolve, 0);
  });

/**
 * Gives the event loop a turn at least every `every` ms, so a page keeps drawing and progress stays live during long
 * work: call `await turns.maybe()` wherever the work may pause.
 */
export class Turns {
  private last = Date.now();

  constructor(private readonly every: number) {}

  async maybe(): Promise<void> {
    if (Date.now() - this.last < this.every) return;
    await nextTurn();
    this.last = Date.now();
  }
}
