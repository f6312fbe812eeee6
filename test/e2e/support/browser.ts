/**
 * Debian's Chromium driven by playwright-core for the e2e tests of n8n's editor: launched headless
 * in its own process group (a watchdog kills it if the test process dies first), every wait
 * bounded, closed with a time limit. No browser is downloaded: `npm run setup` installs
 * /usr/bin/chromium from apt (MAIL_CASES_CHROMIUM names another binary).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';

import { killGroup, recordGroup, startWatchdog } from '../../support/mail-stack/process';

export const CHROMIUM_PATH = process.env.MAIL_CASES_CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-dev-shm-usage',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
];

/** Time limits: launching, one action or assertion wait, a page load, closing. */
export const LAUNCH_TIMEOUT_MS = 60_000;
export const ACTION_TIMEOUT_MS = 30_000;
export const NAVIGATION_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 15_000;

export const VIEWPORT = { width: 1440, height: 900 };

export interface EditorBrowser {
	browser: Browser;
	page: Page;
	/** Where screenshots go (a temp folder kept after the run, printed by the tests). */
	artifactsDir: string;
	/** Closes the browser within a time limit, then kills its process group. Idempotent. */
	close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `promise`, or an error naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			promise,
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
			}),
		]);
	} finally {
		clearTimeout(timer);
	}
}

/** Launches headless Chromium with one page (1440×900, English UI, bounded default timeouts). */
export async function launchBrowser(artifactsDir: string): Promise<EditorBrowser> {
	mkdirSync(artifactsDir, { recursive: true });
	// The watchdog's folder: the browser's process group is recorded there.
	const guardDir = mkdtempSync(path.join(os.tmpdir(), 'mail-cases-e2e-chromium-'));
	const watchdogPid = startWatchdog(process.pid, guardDir);
	let server: BrowserServer | undefined;
	let browser: Browser | undefined;
	let closed = false;

	const close = async () => {
		if (closed) return;
		closed = true;
		await within(browser?.close() ?? Promise.resolve(), CLOSE_TIMEOUT_MS, 'closing Chromium').catch(
			() => undefined,
		);
		await within(server?.close() ?? Promise.resolve(), CLOSE_TIMEOUT_MS, 'stopping Chromium').catch(
			() => undefined,
		);
		killGroup(server?.process().pid);
		rmSync(guardDir, { recursive: true, force: true });
		// The watchdog sees its folder gone and exits; make sure it does.
		await sleep(50);
		killGroup(watchdogPid);
	};

	try {
		server = await chromium.launchServer({
			executablePath: CHROMIUM_PATH,
			args: CHROMIUM_FLAGS,
			headless: true,
			timeout: LAUNCH_TIMEOUT_MS,
			env: { ...process.env, LANG: 'en_US.UTF-8', TZ: 'UTC' },
		});
		const pid = server.process().pid;
		if (pid) recordGroup(guardDir, pid);
		browser = await chromium.connect(server.wsEndpoint(), { timeout: LAUNCH_TIMEOUT_MS });
		const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
		context.setDefaultTimeout(ACTION_TIMEOUT_MS);
		context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
		const page = await context.newPage();
		return { browser, page, artifactsDir, close };
	} catch (error) {
		await close();
		const e = error as Error;
		e.message = `could not launch ${CHROMIUM_PATH} (npm run setup installs it): ${e.message}`;
		throw e;
	}
}

/** Signs in on n8n's /signin page as a user would. */
export async function signIn(
	page: Page,
	baseUrl: string,
	user: { email: string; password: string },
): Promise<void> {
	// Waiting for "load" takes long on a busy machine (n8n's editor bundle); the form is enough.
	await page.goto(`${baseUrl}/signin`, { waitUntil: 'domcontentloaded' });
	await page.locator('input[name="emailOrLdapLoginId"]').fill(user.email);
	await page.locator('input[name="password"]').fill(user.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}

/** Saves a full-viewport PNG as `<artifactsDir>/<name>.png` and to every extra path; returns the first. */
export async function screenshot(
	browser: EditorBrowser,
	name: string,
	extraPaths: string[] = [],
): Promise<string> {
	const file = path.join(browser.artifactsDir, `${name}.png`);
	const png = await browser.page.screenshot({ path: file, timeout: ACTION_TIMEOUT_MS });
	for (const extra of extraPaths) {
		mkdirSync(path.dirname(extra), { recursive: true });
		writeFileSync(extra, png);
	}
	return file;
}
