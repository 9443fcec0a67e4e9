// Benchmark: brushing a window on the timeline of a case of about one million events, in
// Chromium. The browser harness serves the built renderer with the real handler layer behind
// it, the case is opened through the start screen, and a script then drags across the
// histogram with the mouse at about 60 moves a second. A requestAnimationFrame loop in the
// page records frame timestamps. The figures are the gaps between frames while the button is
// down (target p95 ≤ 33 ms), and for 1.5 s after release, while the panes refetch for the new
// window.
//
//   npx tsx test/bench/brush.bench.ts [--events 1000000] [--cache DIR]
//
// The generated case is kept in DIR (default: <tmp>/netcase-brush/<events>) and reused.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { startHarness } from '../e2e/browser/harness/harness.js';
import { ensureBrushCase } from './brush-case.js';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const DRAGS = 3;
const MOVES_PER_DRAG = 90;
const MOVE_INTERVAL_MS = 16;
const AFTER_RELEASE_MS = 1500;
const STEADY_MS = 1000;

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, cache: { type: 'string' } } });
const events = Number(values.events);
const cacheDir = values.cache ?? join(tmpdir(), 'netcase-brush', String(events));

interface DragFrames {
  during: number[];
  after: number[];
  window: string;
  /** Time from release until frames are steady again (see waitForSteadyFrames). */
  settleMs: number;
}

const caseDir = await ensureBrushCase(cacheDir, events);
const harness = await startHarness();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(harness.url);
  await harness.queueDialog('open-case-folder', [caseDir]);
  await page.getByTestId('open-case').click();
  await page.getByTestId('case-name').waitFor({ timeout: 120_000 });
  await page.locator('[data-testid="timeline-histogram"] path').first().waitFor({ timeout: 120_000 });
  await page.getByTestId('events-row').first().waitFor({ timeout: 120_000 });
  // Let the graph and the other panes finish their first load before measuring.
  await waitForSteadyFrames(page);

  const drags: DragFrames[] = [];
  for (let drag = 0; drag < DRAGS; drag++) drags.push(await measureDrag(page, drag));

  const during = drags.flatMap((drag) => drag.during);
  const after = drags.flatMap((drag) => drag.after);
  const eventCount = await page.getByTestId('case-event-count').textContent();
  console.error(`Windows brushed: ${drags.map((drag) => drag.window).join(' | ')}`);
  for (const drag of drags) console.error(`Drag: ${JSON.stringify(summarize(drag.during))}, after release: ${JSON.stringify(summarize(drag.after))}, steady again after ${drag.settleMs} ms`);
  const settle = drags.map((drag) => drag.settleMs).sort((a, b) => a - b);
  console.log(JSON.stringify({ events: eventCount, drags: DRAGS, during: summarize(during), after: summarize(after), settleMs: { median: settle[Math.floor(settle.length / 2)], max: settle[settle.length - 1] } }));
} finally {
  await browser.close();
  await harness.stop();
}

/**
 * Drags across part of the histogram and returns the frame gaps in milliseconds during the
 * drag and after release, and the window text the header shows afterwards.
 */
async function measureDrag(page: Page, drag: number): Promise<DragFrames> {
  const histogram = page.getByTestId('timeline-histogram');
  const box = await histogram.boundingBox();
  if (box === null) throw new Error('The timeline histogram is not visible, so there is nothing to drag on.');

  // Passed as text, because tsx would wrap a function written here in a helper the page lacks.
  await page.evaluate(`(() => {
    const state = { frames: [], down: 0, up: 0, stop: false };
    window.brushBench = state;
    const target = document.querySelector('[data-testid="timeline-histogram"]');
    target.addEventListener('pointerdown', () => { state.down = performance.now(); }, { once: true });
    target.addEventListener('pointerup', () => { state.up = performance.now(); }, { once: true });
    function loop(now) {
      state.frames.push(now);
      if (!state.stop) requestAnimationFrame(loop);
    }
    requestAnimationFrame(loop);
  })()`);

  const y = box.y + box.height / 2;
  const startX = box.x + box.width * (0.1 + 0.2 * drag);
  const endX = startX + box.width * 0.3;
  await page.mouse.move(startX, y);
  await page.mouse.down();
  for (let move = 1; move <= MOVES_PER_DRAG; move++) {
    await page.mouse.move(startX + ((endX - startX) * move) / MOVES_PER_DRAG, y);
    await page.waitForTimeout(MOVE_INTERVAL_MS);
  }
  await page.mouse.up();
  await page.waitForTimeout(AFTER_RELEASE_MS);
  const settleMs = AFTER_RELEASE_MS + (await waitForSteadyFrames(page)) - STEADY_MS;

  const state = await page.evaluate(() => {
    const bench = (window as unknown as { brushBench: { frames: number[]; down: number; up: number; stop: boolean } }).brushBench;
    bench.stop = true;
    return { frames: bench.frames, down: bench.down, up: bench.up };
  });
  const gaps = (from: number, to: number): number[] => {
    const inside = state.frames.filter((time) => time >= from && time <= to);
    return inside.slice(1).map((time, index) => time - inside[index]!);
  };
  const window = (await page.getByTestId('case-window').textContent()) ?? '';
  if (window === 'Whole case') throw new Error('The drag set no time window, so the brush did not work and the figures would mean nothing.');
  return { during: gaps(state.down, state.up), after: gaps(state.up, state.up + AFTER_RELEASE_MS), window, settleMs: Math.max(AFTER_RELEASE_MS, Math.round(settleMs)) };
}

/**
 * Waits until the page has drawn frames for STEADY_MS without a gap over 50 ms, so work left
 * from the previous step (a graph layout, say) does not land in the next measurement. Returns
 * the milliseconds waited, and throws after a minute.
 */
async function waitForSteadyFrames(page: Page): Promise<number> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const started = performance.now();
    let steadySince = started;
    let last = started;
    function loop(now) {
      if (now - last > 50) steadySince = now;
      last = now;
      if (now - steadySince >= ${STEADY_MS}) return resolve(now - started);
      if (now - started > 60000) return reject(new Error('Frames were still uneven after a minute.'));
      requestAnimationFrame(loop);
    }
    requestAnimationFrame(loop);
  })`);
}

function summarize(gaps: number[]): { frames: number; p50: number; p95: number; max: number } {
  const sorted = [...gaps].sort((a, b) => a - b);
  const at = (share: number): number => Number((sorted[Math.max(0, Math.ceil(sorted.length * share) - 1)] ?? Number.NaN).toFixed(1));
  return { frames: sorted.length, p50: at(0.5), p95: at(0.95), max: at(1) };
}
