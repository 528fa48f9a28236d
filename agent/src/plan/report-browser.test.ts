// The HTML plan report and the SVG rehearsal chart opened in headless Chromium (playwright-core):
// the worksheet and the series must be there as a browser renders them; screenshots are saved
// under test-output/plan/ (gitignored) for a person to look at.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { computePlan, inventoryFromCsv, parseCsv, parseScenario, referenceCatalogue, simulate } from '@vact/shared';
import { planHtml } from './plan-report';
import { simulationSvg } from './sim-chart';
import { BRANCH_INVENTORY } from './testing/fixtures';

const CHROMIUM = '/usr/bin/chromium';
/** The part of an SVG polyline element the checks read (this package compiles without the DOM types). */
type Tagged = { getAttribute(name: string): string | null };
type Polyline = { points: { numberOfItems: number; getItem(i: number): { y: number } } };
const OUT = resolve(__dirname, '../../../test-output/plan');

describe('plan report and rehearsal chart in headless Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  const c = referenceCatalogue();

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      // CI installs Chromium (.ci/run); only a developer machine without it may skip.
      if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run must install the chromium package`);
      this.skip();
    }
    mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => browser?.close());

  it('the HTML report shows the worksheet, the totals, the zone diagram and the keys, with no external requests', async () => {
    const inv = inventoryFromCsv(parseCsv(BRANCH_INVENTORY).records, c);
    assert.ok(inv.ok);
    const file = join(OUT, 'plan-report.html');
    writeFileSync(file, planHtml(computePlan(inv.rows, c), 'branch offices'));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const external: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) external.push(req.url());
    });
    await page.goto(pathToFileURL(file).href);
    const worksheet = await page.locator('#worksheet tr').allInnerTexts();
    assert.equal(worksheet.length, 1 + 8);
    assert.match(worksheet.find((r) => r.startsWith('site-b')) ?? '', /MAK \(independent\)/);
    assert.match(worksheet.find((r) => r.startsWith('site-c')) ?? '', /KMS\s+core/);
    assert.deepEqual((await page.locator('#totals td').allInnerTexts()).map(Number), [553, 508, 20, 25, 0]);
    assert.deepEqual(await page.locator('svg#zones g.zone').evaluateAll((gs) => gs.map((g) => (g as unknown as Tagged).getAttribute('data-zone'))), ['lab', 'site-a', 'site-b', 'site-c', 'core']);
    assert.equal(await page.locator('svg#zones circle.kms-host').count(), 2);
    assert.equal(await page.locator('svg#zones line.wan').count(), 1); // only site-c uses the core over the WAN
    const box = await page.locator('svg#zones').boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, 'the diagram is rendered');
    assert.equal(await page.locator('.warn').count(), 3);
    assert.deepEqual(external, []);
    await page.screenshot({ path: join(OUT, 'plan-report.png'), fullPage: true });
    await page.close();
  });

  it('the SVG chart has a count and a threshold line per host and a line per license state, one point per day', async () => {
    const s = parseScenario({
      days: 90,
      hosts: [{ name: 'kms1', outages: [{ day: 30, days: 10 }] }, { name: 'kms2', priority: 10 }],
      groups: [{ name: 'lab', count: 40, edition: 'client-enterprise', joinOverDays: 30 }],
    }, c);
    assert.ok(s.ok);
    const r = simulate(s.scenario, c);
    const file = join(OUT, 'simulation.svg');
    writeFileSync(file, simulationSvg(r));
    const page = await browser.newPage({ viewport: { width: 960, height: 620 } });
    await page.goto(pathToFileURL(file).href);
    assert.deepEqual(await page.locator('g.host').evaluateAll((gs) => gs.map((g) => (g as unknown as Tagged).getAttribute('data-host'))), ['kms1', 'kms2']);
    const points = await page.locator('polyline').evaluateAll((ls) => ls.map((l) => (l as unknown as Polyline).points.numberOfItems));
    assert.equal(points.length, 2 * 2 + 5);
    assert.ok(points.every((n) => n === 90), points.join());
    // The Licensed line ends at the top of its panel (40 of 40 machines), Notification at the bottom.
    const ys = await page.locator('g.state polyline').evaluateAll((ls) => ls.map((l) => { const p = (l as unknown as Polyline).points; return p.getItem(p.numberOfItems - 1).y; }));
    assert.ok(ys[0] < ys[3], `Licensed ${ys[0]} above Notification ${ys[3]}`);
    assert.match(await page.locator('svg').innerHTML(), /KMS host count vs threshold[\s\S]*Machines by license state/);
    await page.screenshot({ path: join(OUT, 'simulation.png') });
    await page.close();
  });
});
