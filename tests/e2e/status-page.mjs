// SPDX-License-Identifier: MIT
// The /status page in a real browser: Debian's chromium driven by
// playwright-core (tests/package.json), run by tests/e2e/status-page.sh,
// which starts the daemon and passes, in the environment:
//   NODE_MODULES  where playwright-core is     URL    the daemon's base URL
//   TOKEN         the bearer token             STATE  the state file of check db
//   PID           the daemon (stopped at the end, to see the page go stale)
//   OUT           where the screenshots go     PERIOD the page's refresh, ms
// Prints one "ok - ..." line per behaviour; any failure throws (exit 1).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const env = (name) => {
	if (!process.env[name]) throw new Error(`${name} is not set`);
	return process.env[name];
};
const require = createRequire(path.join(env('NODE_MODULES'), 'noop.js'));
const { chromium } = require('playwright-core');
const URL = env('URL'), TOKEN = env('TOKEN'), OUT = env('OUT'), PERIOD = Number(env('PERIOD'));
const page_url = URL + '/status';

function check(cond, what) {
	if (!cond) throw new Error(what);
}

// As tests/e2e/lib.sh's e2e_say: replace the file whole.
function say(file, word) {
	fs.writeFileSync(file + '.new', word + '\n');
	fs.renameSync(file + '.new', file);
}

// Every console message of type error or warning, uncaught exception and
// CSP violation (the listener is added through the DevTools protocol,
// which the page's policy does not apply to).
function watch(page, problems) {
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	return page.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) => {
			console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
		});
	});
}

// The status text of each check, by name, as the page shows it now.
function statuses(page) {
	return page.$$eval('#checks tbody tr', (rows) => Object.fromEntries(rows.map((r) =>
		[r.querySelector('th .name').textContent, r.querySelector('td.status').textContent])));
}

// Wait until the page shows check db failed (a reload of the page, by its
// <noscript> refresh, may happen in between).
function dbFails(page) {
	return page.waitForFunction(() => {
		const th = [...document.querySelectorAll('#checks tbody th .name')].find((e) => e.textContent === 'db');
		return th && th.closest('tr').querySelector('td.status').textContent === '\u2717 fail';
	}, null, { timeout: 2000 + 2 * PERIOD + 10000 });
}

// The network is loopback only: every Chromium feature that would call
// out is off, and the profile lives in the test's directory (TMPDIR).
const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		'--disable-default-apps'],
});
const problems = [];
try {
	// 1. With JavaScript: the public page lists every check.
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 300 } });
	const page = await ctx.newPage();
	const requests = [];
	page.on('request', (r) => requests.push({ url: r.url(), auth: r.headers()['authorization'] }));
	await watch(page, problems);
	const res = await page.goto(page_url);
	check(res.status() === 200, `/status answered ${res.status()}`);
	let seen = await statuses(page);
	check(JSON.stringify(Object.keys(seen)) === '["db","w","obs","hb"]', `checks listed: ${Object.keys(seen)}`);
	check(seen.db === '\u2713 pass' && seen.w === '! warn', `statuses: ${JSON.stringify(seen)}`);
	check(!(await page.content()).includes('team-payments'), 'the public page shows an owner');
	// The script ran (its hash is in the policy): it says how fresh the page is.
	await page.waitForFunction(() => /^Updated \d+ s ago\.$/.test(document.getElementById('updated').textContent),
		null, { timeout: 3 * PERIOD });
	console.log('ok - the page lists the checks, and its script runs under the CSP');

	// 2. Without JavaScript: the server's page, which reloads itself.
	const nojs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 300 } });
	const plain = await nojs.newPage();
	await watch(plain, problems);
	await plain.goto(page_url);
	seen = await statuses(plain);
	check(Object.keys(seen).length === 4 && seen.db === '\u2713 pass', `without JS: ${JSON.stringify(seen)}`);
	check(!(await plain.isVisible('#auth')), 'the token form shows without JavaScript');
	check((await plain.textContent('#updated')).startsWith('Results as of '), 'no "as of" without JavaScript');

	// 3. db fails: the page shows it within its interval and a refresh,
	// without a reload (a mark set in the page survives).
	await page.evaluate(() => { window.notReloaded = true; });
	const flipped = Date.now();
	say(env('STATE'), 'fail');
	await dbFails(page);
	check(await page.evaluate(() => window.notReloaded === true), 'the page was reloaded');
	check((await page.getAttribute('#overall', 'class')).includes('s-fail'), 'the overall status is not fail');
	console.log(`ok - a check that fails shows failed without a reload (${Date.now() - flipped} ms)`);
	await dbFails(plain);
	await plain.screenshot({ path: path.join(OUT, 'status-page-nojs.png'), fullPage: true });
	console.log('ok - without JavaScript the page shows every check and reloads itself');

	// 4. The token, typed once: details, history drawn, token never in a URL.
	check(await page.isVisible('#auth'), 'no token form');
	await page.fill('#token', 'not-the-token');
	await page.click('#auth button[type=submit]');
	await page.waitForFunction(() => document.getElementById('auth-msg').textContent ===
		'The token was not accepted; it is not kept.', null, { timeout: 2 * PERIOD + 10000 });
	check(!(await page.content()).includes('team-payments'), 'a wrong token shows details');
	check(await page.evaluate(() => sessionStorage.getItem('healthcheckd-token')) === null,
		'a refused token stays in sessionStorage, sent again every period');
	await page.focus('#token');
	await page.keyboard.type(TOKEN);
	await page.keyboard.press('Enter');
	await page.waitForSelector('text=team-payments', { timeout: 2 * PERIOD + 10000 });
	check(await page.evaluate(() => sessionStorage.getItem('healthcheckd-token')) === TOKEN, 'token not in sessionStorage');
	check(await page.inputValue('#token') === '', 'the token stays in the input');
	check((await page.textContent('#service-id')) === 'orders-api', 'no service id');
	check((await page.textContent('#service')).includes('version 2.4.1'), 'no version');
	const db = page.locator('#checks tbody tr', { has: page.locator('th .name', { hasText: /^db$/ }) });
	check((await db.textContent()).includes('dependency down'), 'no message for db');
	check((await db.textContent()).includes('primary orders database'), 'no description for db');
	check(await db.locator('a[href="https://wiki.example/runbooks/db"]').count() === 1, 'no runbook link');
	check(await db.locator('svg rect.s-fail').count() >= 1, 'no failed run in the status strip');
	check(await db.locator('svg rect.s-pass').count() >= 1, 'no passed run in the status strip');
	check(await db.locator('svg polyline').count() === 1, 'no latency sparkline');
	check(/\(\d+ s ago\)/.test(await db.locator('td[data-label="Last change"]').textContent()), 'no "ago"');
	check(requests.every((r) => !r.url.includes(TOKEN)), 'the token went into a URL');
	check(requests.some((r) => r.url === page_url && r.auth === 'Bearer ' + TOKEN),
		'no request of the /health document with the token as a header');
	await page.screenshot({ path: path.join(OUT, 'status-page.png'), fullPage: true });
	console.log('ok - the token entry shows details, with history, sent as a header only');

	// 5. Keyboard: the form and the runbook link are reached with Tab.
	const reached = new Set();
	await page.evaluate(() => document.activeElement.blur());
	for (let i = 0; i < 12; i++) {
		await page.keyboard.press('Tab');
		reached.add(await page.evaluate(() => {
			const e = document.activeElement;
			return e.id || e.getAttribute('href') || e.textContent;
		}));
	}
	for (const want of ['token', 'Show details', 'forget', 'https://wiki.example/runbooks/db'])
		check(reached.has(want), `Tab never reaches ${want}: ${[...reached]}`);
	console.log('ok - keyboard reachable');

	// 6. 320 px wide and dark: nothing to scroll sideways; dark colours.
	await page.setViewportSize({ width: 320, height: 800 });
	const wide = await page.evaluate(() => document.documentElement.scrollWidth);
	check(wide <= 320, `at 320 px the page is ${wide} px wide`);
	await page.screenshot({ path: path.join(OUT, 'status-page-320.png'), fullPage: true });
	await page.setViewportSize({ width: 1280, height: 300 });
	await page.emulateMedia({ colorScheme: 'dark' });
	const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
	const [r, g, b] = bg.match(/\d+/g).map(Number);
	check(r + g + b < 3 * 64, `dark mode background is ${bg}`);
	await page.screenshot({ path: path.join(OUT, 'status-page-dark.png'), fullPage: true });
	console.log('ok - readable at 320 px and in dark mode');

	// 7. Forgetting the token: the public page again.
	await Promise.all([page.waitForNavigation(), page.click('#forget')]);
	check(await page.evaluate(() => sessionStorage.getItem('healthcheckd-token')) === null, 'token kept');
	await page.waitForFunction(() => /^Updated/.test(document.getElementById('updated').textContent),
		null, { timeout: 3 * PERIOD });
	check(!(await page.content()).includes('team-payments'), 'details after forgetting the token');
	console.log('ok - a wrong token shows nothing more and is dropped from sessionStorage; forgetting the token goes back to the public page');

	check(problems.length === 0, `console errors or CSP violations:\n${problems.join('\n')}`);
	console.log('ok - no console errors, no CSP violations');

	// 8. The daemon stops: the page says so, and looks stale.
	process.kill(Number(env('PID')), 'SIGTERM');
	await page.waitForFunction(() => document.body.classList.contains('stale') &&
		/not answering/.test(document.getElementById('updated').textContent),
	null, { timeout: 2 * PERIOD + 15000 });
	console.log('ok - the page turns stale when the daemon stops answering');
} finally {
	await browser.close();
}
