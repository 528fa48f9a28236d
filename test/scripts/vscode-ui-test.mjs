// The UI test: in headless Chromium against code-server, opens the Volume Activation view, adds
// the workspace's lab (from its run.json), opens the license panel, clicks "Activate now", reads
// the new state from the webview; activates a KMS client and reads its count; opens the KMS
// host's panel with its clients table; saves screenshots of the panels and the dashboard in
// dark, light and high-contrast themes.
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

/** Picks the dark high-contrast theme in the theme picker, as a user would. */
async function highContrast(page) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>Preferences: Color Theme');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: /^Preferences: Color Theme/ }).first().click();
  await page.locator('.quick-input-widget input[placeholder^="Select Color Theme"]').waitFor({ state: 'visible' });
  await page.waitForTimeout(1000); // the picker fills its list of themes
  await page.keyboard.type('High Contrast');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: /^Dark High Contrast/ }).first().click();
  await page.locator('.monaco-workbench.hc-black').waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500); // let the webview repaint with the new theme variables
}

/** The active webview's document. */
const activeWebview = (page) => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

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

    // A KMS client of the lab: Activate now, the count against its threshold in the KMS section.
    await runCommand(page, 'View: Close All Editors');
    await rows.filter({ hasText: 'client-1' }).first().click();
    const kms = activeWebview(page);
    await kms.locator('#kms').waitFor({ timeout: 30_000 });
    await kms.locator('button[data-action="activate"]').click();
    await waitFor('client-1 Licensed', async () => (await kms.locator('#state').innerText()) === 'Licensed', 30_000);
    await waitFor('the count in the KMS section', async () => /^count \d+ of 5$/.test(await kms.locator('#kms-count').innerText()), 10_000);
    console.log(`KMS client panel: ${await kms.locator('#state-line').innerText()}; ${await kms.locator('#kms-count').innerText()}`);
    await shot('panel-kms-client-dark');

    // The lab's KMS host: its clients table, the cloned machine flagged.
    await runCommand(page, 'View: Close All Editors');
    await rows.filter({ hasText: 'kms-host' }).first().click();
    const host = activeWebview(page);
    await host.locator('#host-clients').waitFor({ timeout: 30_000 });
    await waitFor('client-1 in the host table', async () => (await host.locator('#host-clients tbody tr').count()) >= 5, 10_000);
    const flagged = await host.locator('#host-clients tr[data-duplicate="true"]').innerText();
    if (!flagged.includes('lab-srv-1') || !flagged.includes('duplicate CMID')) throw new Error(`duplicate row: ${flagged}`);
    console.log(`KMS host panel: ${await host.locator('#host-count').innerText()}; ${await host.locator('#host-clients tbody tr').count()} clients, duplicate flagged: ${flagged.replace(/\s+/g, ' ')}`);
    await shot('panel-kms-host-dark');

    // High contrast: the webviews get the theme's class and its contrast colours.
    await highContrast(page);
    const bodyClass = await host.locator('body').getAttribute('class');
    if (!String(bodyClass).includes('vscode-high-contrast')) throw new Error(`webview body class in high contrast: ${bodyClass}`);
    await host.locator('#host-clients').scrollIntoViewIfNeeded();
    await shot('panel-kms-host-hc');
    await runCommand(page, 'View: Close All Editors');
    await rows.filter({ hasText: 'ui-1' }).first().click();
    await activeWebview(page).locator('#state').waitFor({ timeout: 30_000 });
    await shot('panel-hc');
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'vact: Open Fleet Dashboard');
    await activeWebview(page).locator('table.fleet').waitFor({ timeout: 30_000 });
    await shot('dashboard-hc');
    console.log('UI test passed: view, lab from run.json, panel, Activate now, KMS client and host panels, dashboard; screenshots saved (dark, light, high contrast)');
  } catch (err) {
    await shot('failure').catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
}
