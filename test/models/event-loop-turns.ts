/** How many turns the event loop got (setImmediate callbacks ran) while `run` was pending. */
export async function turnsDuring(run: () => Promise<unknown>): Promise<number> {
  let turns = 0,
    running = true;
  const tick = () => {
    if (running) {
      turns++;
      setImmediate(tick);
    }
  };
  setImmediate(tick);
  await run();
  running = false;
  return turns;
}
