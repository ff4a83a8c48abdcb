/*
 * quire serve's page works without this file: every search, filter, page
 * and download is a plain link or form.  This only adds what a script can:
 * copying a citation to the clipboard exactly as `quire cite` prints it,
 * a question before coding every post of a search, and '/' to jump to the
 * search box.  It runs nothing that came from a post.
 */
'use strict';

function copyButtons() {
	// The clipboard is there on https and on loopback only.
	if (!navigator.clipboard || !window.isSecureContext)
		return;
	for (const button of document.querySelectorAll('button.copy[data-cite]')) {
		button.hidden = false;
		button.addEventListener('click', async () => {
			const label = button.textContent;
			try {
				const answer = await fetch(button.dataset.cite, { credentials: 'same-origin' });
				if (!answer.ok)
					throw new Error(String(answer.status));
				await navigator.clipboard.writeText(await answer.text());
				button.textContent = 'Copied';
				button.classList.add('done');
			} catch (e) {
				button.textContent = 'Failed';
			}
			setTimeout(() => {
				button.textContent = label;
				button.classList.remove('done');
			}, 2500);
		});
	}
}

function confirmCoding() {
	for (const button of document.querySelectorAll('button[data-confirm]')) {
		button.addEventListener('click', (event) => {
			const what = button.value === 'remove' ? 'Remove the code from' : 'Add the code to';
			if (!window.confirm(what + ' all ' + button.dataset.confirm + ' posts of this search?'))
				event.preventDefault();
		});
	}
}

function slashToSearch() {
	const box = document.querySelector('input[name="q"]');
	if (!box)
		return;
	document.addEventListener('keydown', (event) => {
		const t = event.target;
		if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey)
			return;
		if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement)
			return;
		event.preventDefault();
		box.focus();
		box.select();
	});
}

document.addEventListener('DOMContentLoaded', () => {
	copyButtons();
	confirmCoding();
	slashToSearch();
});
