// Copies what tsc does not emit next to the compiled files in dist/: node and credential icons,
// and each node's codex file (`<Node>.node.json`: categories, documentation links, search
// aliases), which n8n reads from beside the `<Node>.node.js` it loads.
const path = require('path');
const { task, src, dest, parallel } = require('gulp');

/** Resolves when the stream has written its last file. */
function finished(stream) {
	return new Promise((resolve, reject) => {
		stream.on('finish', resolve);
		stream.on('error', reject);
	});
}

function copy(root, pattern, from, to) {
	const source = path.resolve(root, from, '**', pattern);
	return finished(src(source, { encoding: false }).pipe(dest(path.resolve(root, to))));
}

function copyIcons(root = '.', out = 'dist') {
	return Promise.all([
		copy(root, '*.{png,svg}', 'nodes', path.join(out, 'nodes')),
		copy(root, '*.{png,svg}', 'icons', path.join(out, 'icons')),
		copy(root, '*.{png,svg}', 'credentials', path.join(out, 'credentials')),
	]);
}

function copyCodex(root = '.', out = 'dist') {
	return copy(root, '*.node.json', 'nodes', path.join(out, 'nodes'));
}

task('build:icons', () => copyIcons());
task('build:codex', () => copyCodex());
task('build:assets', parallel('build:icons', 'build:codex'));

// test/unit/nodes/package-shape.test.ts runs the copy into a temporary folder.
module.exports = { copyIcons, copyCodex };
