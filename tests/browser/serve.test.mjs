// quire serve's page in a real browser: Debian's Chromium, headless,
// driven by playwright-core (no browser download: executablePath).
//   node serve.test.mjs URL CORPUS QUIRE SHOTS
// URL: a running `quire serve --allow-tagging` on CORPUS; QUIRE: the
// binary, to compare with the command line byte for byte; SHOTS: where the
// screenshots go.  Prints TAP lines ("ok N - ..."), as the CLI tests do.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, corpus, quire, shots] = process.argv.slice(2);
const base = Number(process.env.TAP_BASE || 0);
const CHROMIUM = process.env.QUIRE_CHROMIUM || '/usr/bin/chromium';
mkdirSync(shots, { recursive: true });

// Every test, and the whole run, is bounded in time.
const killer = setTimeout(() => {
	console.log('not ok - the browser tests took more than 5 minutes');
	process.exit(1);
}, 300000);

let n = base;
let failed = 0;
function ok(desc) {
	console.log(`ok ${++n} - ${desc}`);
}
function notOk(desc, why) {
	failed++;
	console.log(`not ok ${++n} - ${desc}`);
	if (why)
		for (const line of String(why).split('\n').slice(0, 12))
			console.log(`#   ${line}`);
}
function check(desc, cond, why) {
	if (cond)
		ok(desc);
	else
		notOk(desc, why);
}
async function step(desc, fn) {
	try {
		await fn();
	} catch (e) {
		notOk(desc, e && e.stack ? e.stack : e);
	}
}

// The command line's output (a Buffer); exit 1 (nothing found) is output too.
function cli(...args) {
	try {
		return execFileSync(quire, args, { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 28 });
	} catch (e) {
		if (e.status === 1)
			return e.stdout;
		throw e;
	}
}
const count = (q) => Number(cli('count', '-c', corpus, '--', q).toString().trim());
const text = (b) => b.toString('utf8');

const browser = await chromium.launch({
	executablePath: CHROMIUM,
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync'],
});
const origin = new URL(url).origin;
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
const page = await context.newPage();
page.setDefaultTimeout(20000);
const problems = [];
// Scripts that throw, and what the Content-Security-Policy blocked.
page.on('console', (m) => {
	if (m.type() === 'error' && /Refused|Content Security Policy|Uncaught/.test(m.text()))
		problems.push(m.text());
});
page.on('pageerror', (e) => problems.push(String(e)));
// Nothing may be fetched from anywhere but the server.
const outside = [];
await context.route('**/*', (route) => {
	const u = route.request().url();
	if (!u.startsWith(origin + '/')) {
		outside.push(u);
		return route.abort();
	}
	return route.continue();
});

const shot = (name) => page.screenshot({ path: join(shots, name), fullPage: false });
const summaryCount = async () =>
	Number((await page.locator('section.summary strong').first().innerText()).replace(/[^0-9]/g, ''));

// ---- a search typed into the form ----
await step('search from the form', async () => {
	await page.goto(url);
	await page.fill('input[name="q"]', '#WhiteLivesMatter fancam');
	await Promise.all([page.waitForURL(/q=/), page.press('input[name="q"]', 'Enter')]);
	const cards = await page.locator('article.card').count();
	const want = count('#WhiteLivesMatter fancam');
	check('the form searches: the count is quire count\'s', (await summaryCount()) === want, `${await summaryCount()} vs ${want}`);
	check('a page of citation cards', cards === Math.min(20, want), `${cards} cards`);
	check('matched words are marked', (await page.locator('article.card mark').count()) > 0);
	check('the page says which zone it shows', (await page.locator('.zone').innerText()) === 'UTC');
	const chart = await page.locator('img.chart').evaluate((img) => img.complete && img.naturalWidth > 0);
	check('the timeline chart loads', chart);
	await shot('search.png');
});

// ---- the timeline's chart is the command line's ----
await step('the chart', async () => {
	const src = await page.locator('img.chart').getAttribute('src');
	const svg = Buffer.from(await (await page.request.get(origin + src)).body());
	const args = new URL(origin + src).searchParams;
	const want = cli('timeline', '-c', corpus, '--by', args.get('by'), '--svg', '-', '--', args.get('q'));
	check('the chart is quire timeline --svg, byte for byte', svg.equals(want), `${svg.length} vs ${want.length} bytes`);
});

// ---- a facet clicked ----
let facetQuery = '';
await step('a facet', async () => {
	const link = page.locator('section.facet[data-facet="media"] li a').first();
	const value = (await link.innerText()).trim();
	await Promise.all([page.waitForURL(/media=/), link.click()]);
	check('a facet value is a link that adds a filter', new URL(page.url()).searchParams.get('media') === value, page.url());
	check('the filter shows as a chip', (await page.locator('ul.active .chip').count()) === 1);
	facetQuery = `(#WhiteLivesMatter fancam) media:${value}`;
	check('the count is quire count\'s for the narrowed query', (await summaryCount()) === count(facetQuery),
		`${await summaryCount()} vs ${count(facetQuery)}`);
	const cmd = await page.locator('details.cli code').textContent();
	check('the page shows the command line that prints the same', cmd.includes(facetQuery), cmd);
	await shot('facet.png');
	await Promise.all([page.waitForURL((u) => !u.searchParams.has('media')), page.locator('ul.active .remove').click()]);
	check('the chip\'s x removes the filter', (await page.locator('ul.active .chip').count()) === 0);
});

// ---- paging ----
await step('paging', async () => {
	await page.goto(url + '?q=fancam&sort=oldest');
	await Promise.all([page.waitForURL(/offset=20/), page.locator('nav.pager a[rel="next"]').click()]);
	const first = await page.locator('article.card a.post-link').first().getAttribute('href');
	const want = text(cli('search', '-c', corpus, '-f', 'jsonl', '--sort', 'oldest', '--limit', '1', '--offset', '20', 'fancam'));
	const id = JSON.parse(want).post.id;
	check('the next page starts with the 21st post', decodeURIComponent(first) === `/post/${id}`, `${first} vs ${id}`);
});

// ---- a post's page with its original ----
let postId = '';
await step('a post', async () => {
	await page.goto(url + '?q=' + encodeURIComponent('from:dallas_pd_demo'));
	const href = await page.locator('article.card a.post-link').first().getAttribute('href');
	await Promise.all([page.waitForURL(/\/post\//), page.locator('article.card a.post-link').first().click()]);
	postId = decodeURIComponent(href.slice('/post/'.length));
	check('the post page says its sha256 was checked', (await page.locator('p.verified').count()) === 1);
	const raw = await page.locator('pre.raw').innerText();
	const want = text(cli('show', '-c', corpus, '--raw', postId));
	check('it shows the original record as quire show --raw prints it', raw.trim() === want.trim(),
		`${raw.slice(0, 80)} / ${want.slice(0, 80)}`);
	const json = JSON.parse(await page.locator('pre.json').innerText());
	check('and the normalized post', json.id === postId);
	await shot('post.png');
});

// ---- a citation copied ----
await step('copy a citation', async () => {
	for (const [style, label] of [['apa', 'APA'], ['bibtex', 'BibTeX'], ['csl-json', 'CSL-JSON']]) {
		await page.locator('details.cite summary').first().click();
		const button = page.locator(`details.cite button.copy[data-style="${label}"]`).first();
		await button.click();
		await page.waitForFunction((b) => b.textContent !== 'Copy', await button.elementHandle());
		const copied = await page.evaluate(() => navigator.clipboard.readText());
		const want = text(cli('cite', '-c', corpus, '-f', style, postId));
		check(`Copy (${label}) puts quire cite -f ${style}'s output on the clipboard, byte for byte`, copied === want,
			`${JSON.stringify(copied.slice(0, 120))}\n${JSON.stringify(want.slice(0, 120))}`);
		await page.locator('details.cite summary').first().click();
	}
});

// ---- downloads ----
await step('downloads', async () => {
	await page.goto(url + '?q=' + encodeURIComponent('#BlackLivesMatter') + '&sort=newest');
	for (const [scope, args] of [['page', ['--limit', '20']], ['all', ['--limit', '0']]]) {
		const link = page.locator(`a.download[data-format="csv"][data-scope="${scope}"]`);
		const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
		const got = readFileSync(await download.path());
		const want = cli('search', '-c', corpus, '-f', 'csv', '--sort', 'newest', ...args, '#BlackLivesMatter');
		check(`the CSV download (${scope}) is quire search -f csv's, byte for byte`, got.equals(want),
			`${got.length} vs ${want.length} bytes`);
	}
	const [download] = await Promise.all([page.waitForEvent('download'),
		page.locator('a.download[data-format="csl-json"][data-scope="page"]').click()]);
	const got = readFileSync(await download.path());
	const want = cli('search', '-c', corpus, '-f', 'csl-json', '--sort', 'newest', '--limit', '20', '#BlackLivesMatter');
	check('the CSL-JSON download is quire search -f csl-json\'s', got.equals(want));
	check('its name says what it is', download.suggestedFilename() === 'quire-search.csl.json', download.suggestedFilename());
});

// ---- hostile posts ----
await step('hostile posts', async () => {
	await page.goto(url + '?q=hostile&n=50');
	const pwned = await page.evaluate(() => window.__pwned);
	check('no script from a post ran', pwned === undefined, String(pwned));
	const scripts = await page.evaluate(() => [...document.scripts].map((s) => s.src));
	check('the only script is the page\'s own', scripts.length === 1 && scripts[0] === origin + '/assets/quire.js',
		scripts.join(' '));
	const injected = await page.evaluate(() => {
		const bad = [];
		for (const el of document.querySelectorAll('*')) {
			for (const a of el.attributes)
				if (a.name.startsWith('on'))
					bad.push(`${el.tagName} ${a.name}`);
			if (['SVG', 'svg', 'IFRAME', 'OBJECT', 'EMBED', 'B', 'I'].includes(el.tagName) && el.closest('article'))
				bad.push(el.tagName);
			if (el.tagName === 'IMG' && !el.getAttribute('src').startsWith('/'))
				bad.push(`img ${el.getAttribute('src')}`);
		}
		for (const a of document.querySelectorAll('a[href]')) {
			const h = a.getAttribute('href');
			if (!(h.startsWith('/') || h.startsWith('http://') || h.startsWith('https://')))
				bad.push(`a ${h}`);
		}
		return bad;
	});
	check('no element or attribute was injected; every link is http(s) or the server\'s', injected.length === 0,
		injected.join('\n'));
	const cards = await page.locator('article.card').allInnerTexts();
	const all = cards.join('\n');
	check('the hostile texts are shown as text', all.includes('<script>window.__pwned=1</script>') &&
		all.includes('onerror="window.__pwned=2"') && all.includes('</textarea></title><svg onload=window.__pwned=5>'),
		all.slice(0, 400));
	check('a bidi override is shown, not obeyed', all.includes('\\u{202e}gnp.exe\\u{202c}'));
	check('a javascript: URL stays text', (await page.locator('a[href^="javascript"]').count()) === 0 &&
		all.includes('javascript:window.__pwned=3'));
	const quoted = await page.locator('article.card .name').allInnerTexts();
	check('names with markup are text', quoted.includes('<b>Bold</b> Name'), quoted.join(' | '));
	await shot('hostile.png');
});

// ---- Korean ----
await step('Korean', async () => {
	await page.goto(url + '?q=' + encodeURIComponent('#블랙라이브스매터'));
	const t = await page.locator('article.card p.text').first().innerText();
	check('Korean posts are found and shown', /[\uac00-\ud7a3]/.test(t), t);
	const font = await page.evaluate(async () => {
		await document.fonts.ready;
		return document.fonts.check('16px "Noto Sans CJK KR"', '블랙');
	});
	check('a CJK font is there to draw them', font);
	await shot('korean.png');
});

// ---- a bad query ----
await step('a bad query', async () => {
	await page.goto(url + '?q=' + encodeURIComponent('fancam AND (media:video OR)'));
	const err = await page.locator('.query-error').innerText();
	check('a bad query shows the reason and the column', /nothing on its right \(column 25\)/.test(err), err);
	check('with the place marked', (await page.locator('.query-error mark').innerText()) === 'O');
	await shot('error.png');
});

// ---- codes from the page ----
await step('codes', async () => {
	await page.goto(url + '?q=' + encodeURIComponent('from:dallas_pd_demo') + '&sort=oldest');
	const form = page.locator('article.card form.tag-form').first();
	const id = await form.locator('input[name="id"]').getAttribute('value');
	await form.locator('input[name="code"]').fill('checked-on-page');
	await Promise.all([page.waitForURL(/\/tag$/), form.locator('button[value="add"]').click()]);
	check('the page says what changed', /1 post matched; \+checked-on-page; 1 post changed/.test(
		await page.locator('[role="status"]').innerText()));
	await Promise.all([page.waitForURL(/from/), page.locator('a.back').click()]);
	const chip = await page.locator('article.card').first().locator('.chip.code').allInnerTexts();
	check('back on the results, the post shows its code', chip.includes('code: checked-on-page'), chip.join(' '));
	check('the command line sees it', text(cli('search', '-c', corpus, '-f', 'ids', 'tag:checked-on-page')).trim() ===
		id.replace(/^twitter:/, ''));
});

check('no error on the console, no blocked inline script', problems.length === 0, problems.join('\n'));
check('nothing was fetched from outside the server', outside.length === 0, outside.join('\n'));

// ---- without JavaScript ----
await step('without JavaScript', async () => {
	const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1400, height: 1000 } });
	const p = await plain.newPage();
	await p.goto(url);
	await p.fill('input[name="q"]', 'fancam');
	await Promise.all([p.waitForURL(/q=fancam/), p.press('input[name="q"]', 'Enter')]);
	check('without JavaScript a search still works', (await p.locator('article.card').count()) === 20);
	const link = p.locator('section.facet[data-facet="hashtag"] li a').first();
	await Promise.all([p.waitForURL(/hashtag=/), link.click()]);
	check('and facets still narrow it', (await p.locator('ul.active .chip').count()) === 1);
	await p.locator('details.cite summary').first().click();
	check('citations are plain links then', (await p.locator('details.cite a.cite-style').first().isVisible()) &&
		!(await p.locator('details.cite button.copy').first().isVisible()));
	await p.screenshot({ path: join(shots, 'nojs.png') });
	await plain.close();
});

await browser.close();
clearTimeout(killer);
console.log(`# browser: ${n - base - failed} of ${n - base} passed; screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
