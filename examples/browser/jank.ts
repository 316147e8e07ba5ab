/**
 * How responsive the page's main thread is while something trains: the gaps between animation frames (a frame
 * is drawn whenever the thread is free, about every 16 ms) and the long tasks (> 50 ms) that a PerformanceObserver
 * reports. `longest` is the longest pause between `start()` and `stop()` (or now), in ms.
 */
export class JankMonitor {
  /** the longest gap between two animation frames since start (ms) */
  longestGap = 0;
  /** the durations of the long tasks since start (ms) */
  tasks: number[] = [];
  private last = 0;
  private startedAt = 0;
  private running = false;
  private readonly observer: PerformanceObserver | undefined;

  constructor(private readonly onUpdate?: (monitor: JankMonitor) => void) {
    if (typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes?.includes('longtask')) {
      this.observer = new PerformanceObserver((list) => this.record(list.getEntries()));
      this.observer.observe({ type: 'longtask' });
    }
  }

  get longestTask(): number {
    return Math.max(0, ...this.tasks);
  }

  get longest(): number {
    return Math.max(this.longestGap, this.longestTask);
  }

  start(): void {
    this.longestGap = 0;
    this.tasks = [];
    this.last = this.startedAt = performance.now();
    if (this.running) return;
    this.running = true;
    const frame = (now: number) => {
      if (!this.running) return;
      this.longestGap = Math.max(this.longestGap, now - this.last);
      this.last = now;
      this.onUpdate?.(this);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  stop(): void {
    // long tasks are reported a little after they end: collect the ones still queued
    if (this.observer) this.record(this.observer.takeRecords());
    this.longestGap = Math.max(this.longestGap, performance.now() - this.last);
    this.running = false;
    this.onUpdate?.(this);
  }

  private record(entries: PerformanceEntryList): void {
    if (!this.running) return;
    // entries arrive after their task: skip those of tasks that ended before start (the task that calls start()
    // counts: it is where training begins)
    for (const entry of entries)
      if (entry.startTime + entry.duration >= this.startedAt) this.tasks.push(Math.round(entry.duration));
  }
}
