import { chromium, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { startHost } from '../core/host/server';
import { createApp } from '../core/services/app';
import { generateWorkspace } from './generate-workspace';
import { compare, print, type Comparison, type Timing } from './harness';

const root = join(import.meta.dirname, '..');
const SERVICES = Number(process.env['BENCH_OVERVIEW_SERVICES'] ?? 200);
const STAGES = ['integration', 'testing', 'staging', 'perf', 'uat', 'production'];
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// In-page code is passed as text: the TypeScript runner rewrites functions in ways a page cannot run.
const RENDER_PROBE = `async (clickSelector, readySelector) => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const start = performance.now();
  document.querySelector(clickSelector).click();
  while (document.querySelectorAll(readySelector).length === 0) await frame();
  await frame();
  await frame();
  return performance.now() - start;
}`;
const START_FRAMES = `(() => {
  window.__frames = [];
  window.__recording = true;
  const tick = (t) => { window.__frames.push(t); if (window.__recording) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;
const STOP_FRAMES = `(() => { window.__recording = false; return window.__frames; })()`;

/** Milliseconds from a click to the first `ready` element being painted (two animation frames later). */
async function timeToRender(page: Page, click: string, ready: string): Promise<number> {
  return page.evaluate(`(${RENDER_PROBE})(${JSON.stringify(click)}, ${JSON.stringify(ready)})`) as Promise<number>;
}

/** Frame intervals while the mouse drags from one point to another in `moves` steps. */
async function framesWhileDragging(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, moves = 60): Promise<number[]> {
  await page.evaluate(START_FRAMES);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= moves; i++) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / moves, from.y + ((to.y - from.y) * i) / moves);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  const frames = (await page.evaluate(STOP_FRAMES)) as number[];
  return frames.slice(1).map((t, i) => t - frames[i]!);
}

const summary = (intervals: number[]): Timing & { p95: number } => {
  const sorted = [...intervals].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)] ?? NaN, minMs: sorted[0] ?? NaN, runs: sorted.length, p95: sorted[Math.floor(sorted.length * 0.95)] ?? NaN };
};

const median = (values: number[]): Timing => summary(values);

/**
 * The overview of SERVICES services × 6 stages in Chromium: time to first render, frame time while
 * panning, and while dragging an image chip, each against bare React Flow with the same nodes.
 */
export async function overviewBenchmark(): Promise<Comparison[]> {
  spawnSync(process.execPath, [join(root, 'scripts', 'build.js'), '--if-stale'], { stdio: 'inherit' });
  const bareDir = join(root, 'dist', 'bench-overview');
  await build({ root: join(root, 'bench', 'overview'), base: './', plugins: [react()], logLevel: 'warn', build: { outDir: bareDir, emptyOutDir: true, rollupOptions: { input: join(root, 'bench', 'overview', 'bare.html') } } });

  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-overview-bench-'));
  const path = join(dir, 'overview.stagecraft');
  generateWorkspace(path, { services: SERVICES, hostsPerStage: 1, packages: 300, files: 60, stages: STAGES }).store.close();
  const app = createApp({ shell: 'browser', resourcesDir: join(root, 'resources'), dataDir: dir, defaultWorkspaceDir: dir });
  app.session.open(path);
  // The first service gets an image in testing: its chip is what the drag measurement moves.
  const first = app.session.require().inventory.listServices()[0]!;
  const captured = await app.dispatch('image.capture', { stageId: first.stages.find((s) => s.name === 'testing')!.id });
  if (!captured.ok) throw new Error(captured.error.message);
  const image = captured.value as { id: number; sourceStageId: number };
  await app.dispatch('image.assign', { stageId: image.sourceStageId, imageId: image.id });
  const appHost = await startHost({ dispatch: app.dispatch, staticDir: join(root, 'dist', 'renderer') });
  const bareHost = await startHost({ dispatch: app.dispatch, staticDir: bareDir });
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const results: Comparison[] = [];
  try {
    const renders = { app: [] as number[], bare: [] as number[] };
    let appPan: number[] = [];
    let barePan: number[] = [];
    let chipDrag: number[] = [];
    let nodeDrag: number[] = [];
    for (let run = 0; run < 3; run++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(appHost.url);
      await page.getByTestId('lifecycle-canvas').waitFor();
      // Steady state: drift of every service loaded (its arrival redraws the whole overview).
      await page.waitForFunction(() => (document.querySelector('[data-testid="stage-testing"] .parity')?.textContent ?? '').includes('%'), null, { timeout: 120_000 });
      await page.waitForTimeout(500);
      renders.app.push(await timeToRender(page, 'nav[aria-label="Views"] button:nth-child(2)', '.compact-stage'));
      const pane = (await page.getByTestId('overview-canvas').boundingBox())!;
      appPan = await framesWhileDragging(page, { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 }, { x: pane.x + pane.width / 4, y: pane.y + pane.height / 4 });
      await page.getByRole('button', { name: 'Lifecycle' }).click();
      await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: new RegExp(first.name) }).click();
      await page.getByTestId('stage-testing').getByRole('button', { name: /Image \S+ of testing/ }).waitFor();
      const box = (await page.getByTestId('stage-testing').getByRole('button', { name: /Image \S+ of testing/ }).boundingBox())!;
      chipDrag = await framesWhileDragging(page, { x: box.x + 5, y: box.y + 5 }, { x: box.x + 400, y: box.y + 40 });
      await page.close();

      const bare = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await bare.goto(`${bareHost.url.replace('/?token=', `/bare.html?services=${SERVICES}&stages=${STAGES.length}&token=`)}`);
      await bare.locator('button').waitFor();
      renders.bare.push(await timeToRender(bare, 'button', '.react-flow__node'));
      barePan = await framesWhileDragging(bare, { x: 720, y: 450 }, { x: 360, y: 225 });
      const node = (await bare.locator('.react-flow__node').first().boundingBox())!;
      nodeDrag = await framesWhileDragging(bare, { x: node.x + node.width / 2, y: node.y + node.height / 2 }, { x: node.x + 400, y: node.y + 40 });
      await bare.close();
    }
    const fps = (intervals: number[]) => (1000 / summary(intervals).medianMs).toFixed(0);
    results.push(compare(`overview: time to first render (${SERVICES} services × ${STAGES.length} stages)`, 'Stagecraft overview', median(renders.app), 'bare React Flow, same nodes', median(renders.bare), 'within 1.5x'));
    results.push({
      ...compare('overview: frame time while panning', 'Stagecraft overview', summary(appPan), 'bare React Flow', summary(barePan), 'within 1.5x'),
      notes: [`Stagecraft ${fps(appPan)} fps (p95 ${summary(appPan).p95.toFixed(1)} ms), bare ${fps(barePan)} fps`],
    });
    results.push({
      ...compare('lifecycle: frame time while dragging an image chip', 'dragging a chip (targets lit)', summary(chipDrag), 'dragging a bare React Flow node', summary(nodeDrag), '60 fps'),
      notes: [`chip drag ${fps(chipDrag)} fps (p95 ${summary(chipDrag).p95.toFixed(1)} ms), bare node drag ${fps(nodeDrag)} fps`],
    });
  } finally {
    await browser.close();
    await appHost.close();
    await bareHost.close();
    app.session.close();
  }
  results.forEach(print);
  return results;
}
