// The UI test: in headless Chromium against code-server, opens the Volume Activation view, adds
// the workspace's lab, opens the license panel, clicks "Activate now", reads the new state from
// the webview, and saves screenshots of the panel and the dashboard in dark and light themes.
import * as path from 'node:path';
import { pageUrl, waitFor } from './vscode-harness.mjs';

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

async function setTheme(page, cls) {
  await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
  await page.locator(`.monaco-workbench.${cls}`).waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500); // let the webview repaint with the new theme variables
}

export async function runUiTest({ browser, cs, workspace, out }) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const shot = (name) => page.screenshot({ path: path.join(out, `${name}.png`) });
  try {
    await page.goto(pageUrl(cs.port, workspace, undefined, cs.installed));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.activitybar .action-item a[aria-label^="Volume Activation"]').click();
    const rows = page.locator('.pane:has(.pane-header[aria-label^="Agents"]) .monaco-list-row');
    await runCommand(page, 'vact: Add Local Lab…');
    const row = rows.filter({ hasText: 'ui-1' }).first();
    await row.waitFor({ timeout: 30_000 });
    await waitFor('ui-1 in grace in the tree', async () => (await row.innerText()).includes('Initial grace'), 30_000);
    console.log(`tree row: ${(await row.innerText()).replace(/\s+/g, ' ')}`);

    await row.click();
    const webview = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const state = webview.locator('#state');
    await state.waitFor({ timeout: 30_000 });
    if ((await state.innerText()) !== 'Initial grace') throw new Error(`panel shows "${await state.innerText()}" before activation`);
    await shot('panel-grace-dark');
    await webview.locator('button[data-action="activate"]').click();
    await waitFor('Licensed in the panel', async () => (await state.innerText()) === 'Licensed', 30_000);
    const line = await webview.locator('#state-line').innerText();
    if (!line.startsWith('Licensed · MAK')) throw new Error(`state line after activation: ${line}`);
    console.log(`panel after "Activate now": ${line}`);
    await waitFor('the tree to follow', async () => (await row.innerText()).includes('Licensed'), 10_000);
    await shot('panel-dark');
    await setTheme(page, 'vs');
    await shot('panel-light');

    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'vact: Open Fleet Dashboard');
    const table = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').locator('table.fleet');
    await table.waitFor({ timeout: 30_000 });
    const text = await table.innerText();
    if (!text.includes('ui-1') || !text.includes('Licensed')) throw new Error(`dashboard table: ${text}`);
    // Keyboard: focus the "Agent" column header and press Enter: the table sorts by name.
    const dash = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await dash.locator('th button', { hasText: 'Agent' }).press('Enter');
    await waitFor('the table sorted by name from the keyboard', async () => (await dash.locator('th[aria-sort="ascending"]').innerText()).startsWith('Agent'), 5000);
    await shot('dashboard-light');
    await setTheme(page, 'vs-dark');
    await shot('dashboard-dark');
    console.log('UI test passed: view, panel, Activate now, dashboard; screenshots saved');
  } catch (err) {
    await shot('failure').catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
}
