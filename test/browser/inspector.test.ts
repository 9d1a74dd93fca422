import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvidenceFile } from '../../tools/inspect/evidence.ts';
import { createInspectorHub } from '../../tools/inspect/hub.ts';
import { startInspectorServer } from '../../tools/inspect/server.ts';
import { openEmbedder } from '../runtime/embedder-kit.ts';
import { launchChromium, type HeadlessChromium } from './chromium.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'reports/inspector');
const EVIDENCE = join(ROOT, 'test/fixtures/inspect/demo-evidence.jsonl');
const SECRET = 'purple elephant recipe';
const WAIT = { timeout: 15_000 };

/** The ids of the turn chart's highlighted SVG nodes. */
const litTurnStates = (page: Page) =>
  page.$$eval('#chart-turn g.node.current title', (titles: { textContent: string | null }[]) =>
    titles.map((t) => t.textContent),
  );

/** Waits until an actor of the tree reads `text` (the tree is redrawn at most every 100 ms). */
const treeShows = (page: Page, text: string) =>
  page
    .locator('#tree li > span')
    .filter({ hasText: new RegExp(`^${text.replace(/[()]/g, '\\$&')}$`) })
    .first()
    .waitFor(WAIT);

const turnState = (page: Page, value: string) =>
  page.waitForSelector(`#chart-turn[data-state="${value}"]`, WAIT);

describe('rspp inspect page in headless Chromium (issue 15)', () => {
  let chromium: HeadlessChromium;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
  });

  it('draws the statecharts and follows a scripted turn from Opening to Active to Closed', async () => {
    const hub = createInspectorHub({ flush_every_ms: 20 });
    const e = await openEmbedder({ inspect: hub.inspect });
    hub.watch(e.runtime, e.session_id);
    const server = await startInspectorServer({ hub, label: 'browser test' });
    const page = await chromium.context.newPage();
    const frames: string[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', (frame) => {
        frames.push(String(frame.payload));
      }),
    );
    try {
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="true"]', WAIT);
      for (const machine of ['session', 'turn', 'node', 'invocation'])
        expect(await page.$(`#chart-${machine} svg g.node`)).not.toBeNull();
      await page.waitForSelector('#connection.live', WAIT);
      await page.waitForSelector('#chart-session[data-state]:not([data-state=""])', WAIT);
      await page.screenshot({ path: join(SHOTS, 'live-0-session-open.png') });

      // The turn opens within the feed (Opening is passed synchronously): the page shows the
      // whole trail, then Active highlighted while the reply is generated.
      e.feed('speech_started');
      e.feed('transcript_final', SECRET);
      await e.time.settle();
      await turnState(page, 'Active.running');
      expect(await litTurnStates(page)).toEqual(['turn.Active', 'turn.Active.running']);
      const trail = await page.$eval(
        '#chart-turn',
        (el: { getAttribute(name: string): string | null }) => el.getAttribute('data-trail'),
      );
      expect(trail?.split(' ')).toEqual(
        expect.arrayContaining(['Opening.arbitrating', 'Opening.planning', 'Active.running']),
      );
      const order = trail?.split(' ') ?? [];
      expect(order.indexOf('Opening.arbitrating')).toBeLessThan(order.indexOf('Active.running'));
      await page.screenshot({ path: join(SHOTS, 'live-1-turn-active.png') });

      await e.untilClosed('turn-1');
      await turnState(page, 'Closed');
      expect(await litTurnStates(page)).toEqual(['turn.Closed']);
      await page.waitForSelector('#timeline li:has-text("close")', WAIT);
      await treeShows(page, 'turn-1 (turn) Closed');
      await page.screenshot({ path: join(SHOTS, 'live-2-turn-closed.png') });

      // Nothing of the user's words reached the page, on the socket or on screen.
      expect(frames.length).toBeGreaterThan(0);
      expect(frames.join('\n')).not.toContain('purple');
      expect(await page.content()).not.toContain('purple');
      expect(chromium.refused).toEqual([]);
    } finally {
      await page.close();
      await e.finish();
      hub.close();
      await server.close();
    }
  });

  it('steps an evidence file forward and back, moving the turn highlight with it', async () => {
    const loaded = await loadEvidenceFile(EVIDENCE);
    const server = await startInspectorServer({ evidence: { ...loaded, file: EVIDENCE } });
    const page = await chromium.context.newPage();
    try {
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="true"]', WAIT);
      await page.waitForSelector('body[data-step="0"]', WAIT);
      expect(await page.textContent('#step-label')).toContain(`step 1 / ${loaded.steps.length}`);
      expect(await litTurnStates(page)).toEqual([]);

      await page.click('#step-next'); // turn_open_proposed
      await turnState(page, 'Opening.arbitrating');
      expect(await litTurnStates(page)).toEqual(['turn.Opening', 'turn.Opening.arbitrating']);
      await page.screenshot({ path: join(SHOTS, 'evidence-1-opening.png') });

      await page.click('#step-next'); // turn_open
      await turnState(page, 'Active.running');
      await page.keyboard.press('ArrowRight'); // output_accepted: no change
      await page.waitForSelector('body[data-step="3"]', WAIT);
      expect(await litTurnStates(page)).toEqual(['turn.Active', 'turn.Active.running']);
      await page.click('#step-next'); // the baseline
      await turnState(page, 'Active.finalizing');
      await page.click('#step-next'); // commit
      await turnState(page, 'Terminal');
      await page.click('#step-next'); // close
      await turnState(page, 'Closed');
      expect(await litTurnStates(page)).toEqual(['turn.Closed']);
      await page.screenshot({ path: join(SHOTS, 'evidence-2-closed.png') });

      // Back again: the highlight returns through the same states.
      await page.click('#step-prev');
      await turnState(page, 'Terminal');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      await turnState(page, 'Active.running');
      expect(await litTurnStates(page)).toEqual(['turn.Active', 'turn.Active.running']);
      await page.click('#step-prev');
      await page.click('#step-prev');
      await turnState(page, 'Opening.arbitrating');
      await page.screenshot({ path: join(SHOTS, 'evidence-3-back-to-opening.png') });

      // The barge-in turn: its early end shows as finalizing, then Closed.
      await page.click('#step-last');
      await page.waitForSelector(`body[data-step="${loaded.steps.length - 1}"]`, WAIT);
      expect(
        await page.$eval('#chart-turn', (el: { getAttribute(name: string): string | null }) =>
          el.getAttribute('data-actor'),
        ),
      ).toBe('turn-3');
      await treeShows(page, 'turn-2 (turn) Closed');
      expect(chromium.refused).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });
});
