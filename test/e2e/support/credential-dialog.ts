/**
 * n8n's credential dialog as a user works it (same test ids in n8n 1.123 and 2.41): open a saved
 * credential on the credentials page, type into a field, Save — n8n saves and runs the
 * credential test (the `testedBy` method of one of our nodes) — and read the banner. The
 * response of the test request the editor sent is returned too, so a test can check our own
 * message (the banner only says "Connection tested successfully").
 */
import type { Locator, Page } from 'playwright-core';

import type { CredentialTestResult } from './n8n-rest';

const MODAL = '[data-test-id="editCredential-modal"]';
const SUCCESS_BANNER = '[data-test-id="credentials-config-container-test-success"]';
export const SUCCESS_TEXT = 'Connection tested successfully';

/** Opens `/home/credentials/<id>`: the credentials page with the credential's dialog. */
export async function openCredentialDialog(
	page: Page,
	baseUrl: string,
	credentialId: string,
): Promise<Locator> {
	await page.goto(`${baseUrl}/home/credentials/${credentialId}`, { waitUntil: 'domcontentloaded' });
	const modal = page.locator(MODAL);
	await modal.waitFor();
	return modal;
}

/** The text input of a credential field, by its property name (`parameter-input-<name>`). */
export function credentialField(modal: Locator, name: string): Locator {
	return modal.locator(`[data-test-id="parameter-input-${name}"] input`);
}

export interface DialogTest {
	/** What n8n's test answered to the editor (our credential test's status and message). */
	result: CredentialTestResult;
	/** The dialog's success banner, visible. */
	banner: Locator;
}

/**
 * Clicks Save and waits for the credential test n8n runs after saving: the first test request
 * whose body contains `marker` (a value just typed, so the test that ran when the dialog opened
 * is not taken for it), then for the success banner. Fails with the test's message otherwise.
 */
export async function saveAndTest(page: Page, modal: Locator, marker: string): Promise<DialogTest> {
	const response = page.waitForResponse(
		(r) =>
			r.url().endsWith('/rest/credentials/test') &&
			r.request().method() === 'POST' &&
			(r.request().postData() ?? '').includes(marker),
	);
	await modal.locator('[data-test-id="credential-save-button"] button').click();
	const body = (await (await response).json()) as { data: CredentialTestResult };
	const result = body.data;
	if (result.status !== 'OK') {
		throw new Error(`the credential test n8n ran after Save failed: ${result.message}`);
	}
	const banner = modal.locator(SUCCESS_BANNER);
	await banner.waitFor({ state: 'visible' });
	return { result, banner };
}

/**
 * The credentials page's "Create credential" → type picker → Continue: the dialog of a new
 * credential of `typeDisplayName`, nothing saved or tested yet.
 */
export async function openNewCredentialDialog(
	page: Page,
	baseUrl: string,
	typeDisplayName: string,
): Promise<Locator> {
	await page.goto(`${baseUrl}/home/credentials`, { waitUntil: 'domcontentloaded' });
	await page.locator('[data-test-id="add-resource-credential"]').first().click();
	const picker = page.locator('[data-test-id="selectCredential-modal"]');
	await picker.waitFor();
	await picker.locator('[data-test-id="new-credential-type-select"] input').fill(typeDisplayName);
	await page
		.locator('[data-test-id="new-credential-type-select-option"]')
		.filter({ hasText: typeDisplayName })
		.first()
		.click();
	await picker.locator('[data-test-id="new-credential-type-button"]').click();
	const modal = page.locator(MODAL);
	await modal.waitFor();
	return modal;
}
