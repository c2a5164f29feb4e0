/* The live part of healthcheckd's /status page (core/status.c), hashed into
   its Content-Security-Policy. Every few seconds it asks for the /health
   document (with the bearer token kept in sessionStorage, sent as a header,
   never in a URL, dropped once refused) and redraws the table, each check's last runs as an SVG
   status strip and latency sparkline; without details it asks for the page
   itself. The document comes from /status with Accept:
   application/health+json, which answers 200 where /health answers 503 for
   a failing service: a browser logs every 5xx as a console error. It says
   how fresh the page is and looks stale when the daemon stops answering.
   Text from the daemon goes in through textContent only. */
'use strict';
(function () {
	const body = document.body;
	const period = Number(body.dataset.refresh) || 5000;
	/* A big document on a slow link may take longer than a period: the
	   next refresh waits for it rather than giving up on it. */
	const wait = Math.max(2 * period, 10000);
	const KEY = 'healthcheckd-token';
	const SVG = 'http://www.w3.org/2000/svg';
	const MARK = { pass: '\u2713 pass', warn: '! warn', fail: '\u2717 fail', pending: '\u2026 pending' };
	const COLS = ['Check', 'Status', 'Latency', 'Observed', 'History', 'Last change', 'Message',
		'Owner', 'Groups', 'Severity', 'Runbook'];
	const $ = (id) => document.getElementById(id);
	let detailed = body.dataset.detailed === '1';
	let lastOk = Date.now(), failing = false, timer = 0, busy = false, again = false;

	function el(tag, cls, text) {
		const e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined) e.textContent = text;
		return e;
	}

	function svg(tag, attrs) {
		const e = document.createElementNS(SVG, tag);
		for (const k in attrs) e.setAttribute(k, attrs[k]);
		return e;
	}

	/* As core/status.c writes them. */
	function duration(ms) {
		const s = Math.max(0, Math.floor(ms / 1000));
		if (s < 60) return s + ' s';
		if (s < 3600) return Math.floor(s / 60) + ' min ' + s % 60 + ' s';
		if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
		return Math.floor(s / 86400) + ' d ' + Math.floor(s % 86400 / 3600) + ' h';
	}

	function when(iso) {
		return iso.slice(0, 10) + ' ' + iso.slice(11, 19) + ' UTC';
	}

	function time(iso) {
		const t = el('time', '', when(iso));
		t.dateTime = iso;
		return t;
	}

	function ago(iso) {
		const a = el('span', 'ago', '(' + duration(Date.now() - Date.parse(iso)) + ' ago)');
		a.dataset.since = iso;
		return a;
	}

	function setStatus(node, st) {
		node.className = 'status s-' + st;
		node.textContent = MARK[st] || st;
	}

	/* Two decimals under a millisecond, as core/status.c. */
	function ms(v) {
		return v.toFixed(v < 1 ? 2 : 1) + ' ms';
	}

	/* One square per run, coloured and titled with its status. */
	function strip(hist) {
		const n = hist.length, fails = hist.filter((h) => h.status !== 'pass').length;
		const s = svg('svg', { width: n * 6, height: 12, viewBox: '0 0 ' + n * 6 + ' 12', role: 'img',
			'aria-label': 'last ' + n + ' runs, ' + fails + ' not passing' });
		hist.forEach((h, i) => {
			const r = svg('rect', { x: i * 6, y: 0, width: 5, height: 12, class: 's-' + h.status });
			const t = svg('title', {});
			t.textContent = when(h.time) + ': ' + h.status + ', ' + ms(h.latencyMs);
			r.appendChild(t);
			s.appendChild(r);
		});
		return s;
	}

	function spark(hist) {
		const lat = hist.map((h) => h.latencyMs), max = Math.max(...lat, 0.001), w = 96, h = 20;
		const x = (i) => (hist.length > 1 ? i * w / (hist.length - 1) : w / 2).toFixed(1);
		const pts = lat.map((v, i) => x(i) + ',' + (h - 1 - v / max * (h - 2)).toFixed(1));
		const s = svg('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, role: 'img',
			'aria-label': 'latency of the last ' + lat.length + ' runs: ' +
				ms(Math.min(...lat)) + ' to ' + ms(Math.max(...lat)) });
		s.appendChild(svg('polyline', { points: pts.join(' ') }));
		return s;
	}

	/* A cell with text, nodes, or a dash for nothing. */
	function cell(label, content) {
		const td = el('td');
		td.dataset.label = label;
		if (content === undefined || content === null || content === '')
			td.appendChild(el('span', 'none', '\u2014'));
		else if (Array.isArray(content))
			td.append(...content);
		else
			td.append(content);
		return td;
	}

	/* Only http and https runbooks become links, as on the server. */
	function runbook(url) {
		if (!url || !/^https?:\/\//i.test(url)) return url;
		const a = el('a', '', url);
		a.href = url;
		a.rel = 'noopener noreferrer';
		return a;
	}

	function row(key, c) {
		const measurement = key.slice(c.componentId.length + 1);
		const st = c.output === 'pending' && !c.time ? 'pending' : c.status;
		const hist = c.history || [], last = hist[hist.length - 1];
		const tr = el('tr'), th = el('th');
		const v = c.observedValue, status = cell('Status', '');
		th.scope = 'row';
		th.dataset.label = 'Check';
		th.appendChild(el('span', 'name', c.componentId));
		if (c.description) th.appendChild(el('span', 'desc', c.description));
		setStatus(status, st);
		tr.append(th, status,
			cell('Latency', last && ms(last.latencyMs)),
			cell('Observed', measurement !== 'responseTime' && typeof v === 'number' ?
				measurement + ': ' + Number(v.toPrecision(6)) + ' ' + (c.observedUnit || '') : null),
			cell('History', hist.length ? [strip(hist), spark(hist)] : null),
			cell('Last change', c.lastChange ? [time(c.lastChange), ' ', ago(c.lastChange)] : null),
			cell('Message', st !== 'pass' ? c.output : null),
			cell('Owner', c.owner),
			cell('Groups', (c.groups || []).join(', ')),
			cell('Severity', c.severity),
			cell('Runbook', runbook(c.runbook)));
		return [tr, st];
	}

	/* The whole page from a detailed /health document. */
	function render(doc) {
		const tbody = el('tbody'), head = el('tr');
		const count = { pass: 0, warn: 0, fail: 0, pending: 0 };
		let n = 0;
		for (const key of Object.keys(doc.checks)) {
			for (const c of doc.checks[key]) {
				const [tr, st] = row(key, c);
				tbody.appendChild(tr);
				count[st]++;
				n++;
			}
		}
		for (const name of COLS) {
			const th = el('th', '', name);
			th.scope = 'col';
			head.appendChild(th);
		}
		const table = $('checks');
		table.caption.textContent = n + ' checks: ' + count.pass + ' pass, ' + count.warn +
			' warn, ' + count.fail + ' fail, ' + count.pending + ' pending';
		table.tHead.replaceChildren(head);
		table.tBodies[0].replaceWith(tbody);
		setStatus($('overall'), doc.status);
		$('service-id').textContent = doc.serviceId || 'healthcheckd';
		$('service').textContent = [doc.version && 'version ' + doc.version,
			doc.releaseId && 'release ' + doc.releaseId, doc.description]
			.filter(Boolean).join(' \u00b7 ');
		document.title = doc.status + ': ' + (doc.serviceId || 'healthcheckd') + ' status';
	}

	/* Without details: the public page, as the server renders it. */
	async function refreshPublic() {
		const r = await fetch('/status', { cache: 'no-store', signal: AbortSignal.timeout(wait) });
		const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
		const table = doc.getElementById('checks'), overall = doc.getElementById('overall');
		if (!table || !overall) throw new Error('/status: not the status page');
		$('checks').replaceWith(document.adoptNode(table));
		$('overall').replaceWith(document.adoptNode(overall));
		document.title = doc.title;
	}

	function say(text) {
		const m = $('auth-msg');
		if (m) m.textContent = text;
	}

	async function refresh() {
		clearTimeout(timer);
		if (busy) {
			again = true;
			return;
		}
		busy = true;
		const token = sessionStorage.getItem(KEY);
		try {
			if (token || detailed) {
				const headers = { Accept: 'application/health+json' };
				if (token) headers.Authorization = 'Bearer ' + token;
				const r = await fetch('/status', { cache: 'no-store', signal: AbortSignal.timeout(wait),
					headers });
				const doc = await r.json();
				if (doc.checks) {
					render(doc);
					detailed = true;
					if (token) say('Details shown. The token is kept in this tab only.');
				} else {
					/* Not re-sent every period: a rejected token is dropped. */
					if (token) {
						sessionStorage.removeItem(KEY);
						say('The token was not accepted; it is not kept.');
					}
					await refreshPublic();
				}
			} else {
				await refreshPublic();
			}
			lastOk = Date.now();
			failing = false;
		} catch (e) {
			failing = true;
		}
		busy = false;
		tick();
		timer = setTimeout(refresh, again ? 0 : period);
		again = false;
	}

	function tick() {
		const age = Date.now() - lastOk, stale = failing || age > 2 * period + 2000;
		body.classList.toggle('stale', stale);
		$('updated').textContent = stale ?
			'Last updated ' + duration(age) + ' ago: the daemon is not answering.' :
			'Updated ' + duration(age) + ' ago.';
		document.querySelectorAll('.ago[data-since]').forEach((a) => {
			a.textContent = '(' + duration(Date.now() - Date.parse(a.dataset.since)) + ' ago)';
		});
	}

	const form = $('auth');
	if (form) {
		form.hidden = false;
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			const input = $('token'), token = input.value.trim();
			input.value = '';
			if (!token) return;
			sessionStorage.setItem(KEY, token);
			say('Checking the token\u2026');
			refresh();
		});
		$('forget').addEventListener('click', () => {
			sessionStorage.removeItem(KEY);
			location.reload();
		});
	}
	setInterval(tick, 1000);
	refresh();
})();
