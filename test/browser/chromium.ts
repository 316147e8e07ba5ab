/**
 * Debian's Chromium driven by playwright-core, as this machine and CI run it: the executable at /usr/bin/chromium
 * (override with CHROMIUM_PATH), headless, with the flags that keep it from reaching for the network.
 * Playwright gives every launch a fresh, empty profile (user data dir).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** Collect the page's console errors, uncaught exceptions and failed requests, to assert there were none. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

/**
 * Watch the page's main thread from inside: long tasks (PerformanceObserver) and the gaps between animation
 * frames (a frame is drawn whenever the thread is free), and how long pointer events wait before a handler runs.
 * `reset` starts a new window; `read` returns the longest of each since then, in ms. (Timer gaps would overstate
 * pauses: Chrome may run a page's interval timer only at every other turn that fit yields with setTimeout, while
 * frames and input events get every turn.)
 */
export const MONITOR_SCRIPT = `(() => {
  const m = { longestTask: 0, longestGap: 0, inputDelay: 0, inputs: 0, tasks: [], last: performance.now(), since: 0 };
  addEventListener('pointerdown', (e) => { m.inputs++; m.inputDelay = Math.max(m.inputDelay, performance.now() - e.timeStamp); }, true);
  const frame = (now) => { m.longestGap = Math.max(m.longestGap, now - m.last); m.last = now; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  // entries arrive after their task ends: those of tasks that ended before reset() are not counted
  const record = (entries) => { for (const e of entries) if (e.startTime + e.duration >= m.since) { m.longestTask = Math.max(m.longestTask, e.duration); m.tasks.push(Math.round(e.duration)); } };
  const observer = new PerformanceObserver((list) => record(list.getEntries()));
  observer.observe({ type: 'longtask' });
  window.__monitor = {
    reset() { m.longestTask = 0; m.longestGap = 0; m.inputDelay = 0; m.inputs = 0; m.tasks = []; m.last = m.since = performance.now(); },
    read() {
      record(observer.takeRecords()); // entries are delivered a little late: take the queued ones too
      return { longestTask: Math.round(m.longestTask), longestGap: Math.round(m.longestGap), inputDelay: Math.round(m.inputDelay), inputs: m.inputs, tasks: m.tasks.slice() };
    },
  };
})();`;

export interface MainThreadReport {
  longestTask: number;
  longestGap: number;
  /** the longest wait of a pointerdown event for its handler */
  inputDelay: number;
  inputs: number;
  tasks: number[];
}

export const resetMonitor = (page: Page): Promise<void> => page.evaluate(() => (window as any).__monitor.reset());
export const readMonitor = (page: Page): Promise<MainThreadReport> =>
  page.evaluate(() => (window as any).__monitor.read());
