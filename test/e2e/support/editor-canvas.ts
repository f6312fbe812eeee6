/**
 * n8n's workflow canvas and nodes panel as the browser tests read them. The selectors are n8n's
 * own test ids, the same in n8n 1.123 and 2.41 (both use the Vue Flow canvas):
 * - a node (sticky notes too): an element with `data-node-name` and `data-node-type`;
 * - its markers: `node-issues` (the red triangle: a missing parameter or credential) and
 *   `node-not-installed` (an unknown node type, drawn as "?" with an install icon);
 * - the nodes panel: `node-creator-plus-button`, `node-creator-search-bar`, one
 *   `item-iterator-item` per result (`data-keyboard-nav-id` = `<node type>-<uuid>`) holding a
 *   `node-creator-node-item` (`node-creator-action-item` for a node with operations) with
 *   `node-creator-item-name`; community nodes carry a package badge, an
 *   `svg[data-icon="box"]` beside the name.
 */
import type { Locator, Page } from 'playwright-core';

export const ISSUE_MARKERS = '[data-test-id="node-issues"], [data-test-id="node-not-installed"]';

/**
 * Opens `/workflow/<id>` and waits until the canvas shows its first node (the first time the
 * editor loads its bundles, which takes long on a busy machine: `timeoutMs`).
 */
export async function openWorkflow(
	page: Page,
	baseUrl: string,
	workflowId: string,
	timeoutMs = 120_000,
): Promise<void> {
	await page.goto(`${baseUrl}/workflow/${workflowId}`, { waitUntil: 'domcontentloaded' });
	await page
		.locator('.vue-flow [data-node-name][data-node-type]')
		.first()
		.waitFor({ timeout: timeoutMs });
}

/** The canvas element of the node named `name`. */
export function canvasNode(page: Page, name: string): Locator {
	return page.locator(`.vue-flow [data-node-name="${name.replace(/"/g, '\\"')}"][data-node-type]`);
}

/** Name → node type of every node the canvas shows. */
export async function renderedNodes(page: Page): Promise<Record<string, string>> {
	const pairs = await page
		.locator('.vue-flow [data-node-name][data-node-type]')
		.evaluateAll((elements) =>
			elements.map((e) => [e.getAttribute('data-node-name'), e.getAttribute('data-node-type')]),
		);
	return Object.fromEntries(pairs as Array<[string, string]>);
}

/** Waits until every node icon of the canvas is loaded (the nodes are fully drawn). */
export async function waitForNodeIcons(page: Page, timeoutMs: number): Promise<void> {
	// A string: the project compiles without the DOM library.
	await page.waitForFunction(
		`[...document.querySelectorAll('.vue-flow [data-node-type] img')].every((img) => img.complete && img.naturalWidth > 0)`,
		undefined,
		{ timeout: timeoutMs },
	);
}

/** Names of the nodes that show an issue or "not installed" marker. */
export async function nodesWithMarkers(page: Page): Promise<string[]> {
	return page
		.locator('.vue-flow [data-node-name][data-node-type]')
		.evaluateAll(
			(elements, markers) =>
				elements
					.filter((e) => e.querySelector(markers))
					.map((e) => e.getAttribute('data-node-name') ?? '?'),
			ISSUE_MARKERS,
		);
}

/** The canvas's "zoom to fit" control; the mouse then leaves it, so no tooltip stays open. */
export async function zoomToFit(page: Page): Promise<void> {
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	await page.mouse.move(page.viewportSize()!.width / 2, 100);
}

/** Opens the nodes panel with the canvas's "+" button. */
export async function openNodesPanel(page: Page): Promise<Locator> {
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	const search = page.locator('[data-test-id="node-creator-search-bar"]');
	await search.waitFor();
	return search;
}

/** A result's body: `node-creator-action-item` for nodes with operations, else `...-node-item`. */
const NODE_ITEM =
	'[data-test-id="node-creator-node-item"], [data-test-id="node-creator-action-item"]';

export interface PanelHit {
	/** The result's node type, from the panel's `data-keyboard-nav-id`. */
	type: string;
	/** Whether the result shows the community package badge. */
	badge: boolean;
}

/**
 * Types `displayName` into the nodes panel's search and waits for the result named exactly so;
 * returns its node type and whether it shows the package badge (waited for up to
 * `badgeTimeoutMs`: the list of the previous search may still be on screen and re-render).
 */
export async function searchNodesPanel(
	page: Page,
	search: Locator,
	displayName: string,
	badgeTimeoutMs = 10_000,
): Promise<PanelHit> {
	await search.fill(displayName);
	const exactName = new RegExp(`^\\s*${displayName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
	const named = page.locator('[data-test-id="item-iterator-item"]').filter({
		has: page.locator('[data-test-id="node-creator-item-name"]', { hasText: exactName }),
	});
	await named.first().waitFor();
	const badge = await named
		.filter({ has: page.locator(`:is(${NODE_ITEM}) svg[data-icon="box"]`) })
		.first()
		.waitFor({ timeout: badgeTimeoutMs })
		.then(
			() => true,
			() => false,
		);
	const navId = (await named.first().getAttribute('data-keyboard-nav-id')) ?? '';
	return { type: navId.replace(/-[0-9a-f]{8}-[0-9a-f-]{27}$/, ''), badge };
}
