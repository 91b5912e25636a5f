// conntrack-agent status dashboard: reads the public API with the operator's key and draws it.
// Read-only. Every URL is relative to the page, so the page works behind a path prefix.
'use strict';

const KEY_STORAGE = 'ctagent.apiKey';
const USAGE_EVERY_MS = 5000;      // usage gauge and history
const DETAILS_EVERY_MS = 30000;   // namespaces, top sources, diagnosis, NOTRACK rules: heavier reads
const EVENTS_KEPT = 50;
const RECONNECT_MS = 5000;
// The agent's defaults for ctagent.usage.warn-percent / critical-percent, used only if an older
// agent's usage answer does not carry warnPercent / criticalPercent.
const DEFAULT_WARN_PERCENT = 75;
const DEFAULT_CRITICAL_PERCENT = 90;
const SVG_NS = 'http://www.w3.org/2000/svg';

const LEVELS = ['OK', 'WARN', 'CRITICAL'];

const numberFormat = new Intl.NumberFormat();
const state = { key: null, timers: [], events: new Map(), lastEventId: 0, stream: null, topNetns: 'auto' };

// ---------------------------------------------------------------- API access

class KeyRefused extends Error {}

/** GET a path relative to the page with the key; answers {status, body}; body null unless 2xx JSON. */
async function getJson(path) {
  const response = await fetch(path, {
    headers: { 'X-API-Key': state.key, Accept: 'application/json' },
    cache: 'no-store',
  });
  if (response.status === 401) {
    throw new KeyRefused('The agent refused this key (401).');
  }
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json().catch(() => null) : null;
  return { status: response.status, body: response.ok ? body : null, problem: response.ok ? null : body };
}

/** Why a read failed, in a sentence for the operator. */
function failure(result, what) {
  if (result.status === 404) {
    return `${capitalised(what)} is not available on this agent yet (404): it comes with a newer version.`;
  }
  if (result.status === 403) {
    return `This key's role may not read ${what} (403).`;
  }
  const detail = result.problem && (result.problem.detail || result.problem.title);
  return `Could not read ${what} (${result.status})${detail ? ': ' + detail : ''}.`;
}

function capitalised(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------- DOM helpers

function $(id) {
  return document.getElementById(id);
}

/** An element with attributes and children; text is always set as text, never parsed as HTML. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) {
      node.setAttribute(name, value === true ? '' : value);
    }
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return node;
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** Removes everything from an SVG but its <title>. */
function clearSvg(node) {
  for (const child of [...node.children]) {
    if (child.tagName !== 'title') {
      child.remove();
    }
  }
}

function hint(text) {
  return el('p', { class: 'hint' }, text);
}

function fmt(number) {
  return number === null || number === undefined ? '–' : numberFormat.format(number);
}

function percent(value) {
  return value === null || value === undefined ? '–' : `${value.toFixed(2)} %`;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '–';
}

function bytes(count) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A table; headers ending in '#' mark number columns (kept on one line, aligned right). */
function table(caption, headers, rows) {
  const numeric = headers.map((h) => h.endsWith('#'));
  const cls = (i) => (numeric[i] ? 'number' : null);
  return el('table', {},
    el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { scope: 'col', class: cls(i) }, h.replace(/#$/, ''))))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((cell, i) => el('td', { class: cls(i) }, cell))))));
}

// ---------------------------------------------------------------- usage gauge

const GAUGE = { x: 130, y: 120, value: 80, band: 97, label: 108 };

/** A point on the gauge's half circle at a percentage (0 = left, 100 = right). */
function gaugePoint(at, radius) {
  const angle = Math.PI * (1 - Math.min(100, Math.max(0, at)) / 100);
  return [GAUGE.x + radius * Math.cos(angle), GAUGE.y - radius * Math.sin(angle)];
}

function arc(fromPercent, toPercent, radius) {
  const [x0, y0] = gaugePoint(fromPercent, radius);
  const [x1, y1] = gaugePoint(toPercent, radius);
  return `M ${x0.toFixed(2)} ${y0.toFixed(2)} A ${radius} ${radius} 0 0 1 ${x1.toFixed(2)} ${y1.toFixed(2)}`;
}

function gaugeTick(at) {
  const [x, y] = gaugePoint(at, GAUGE.label);
  return svg('text', { x: x.toFixed(1), y: y.toFixed(1), class: `gauge-tick${at > 50 ? ' right' : ''}` }, `${at} %`);
}

/** "barslab-x", or "netns 4026532281" for a namespace without a name (most pods). */
function namespaceLabel(ns) {
  return ns.netns || ns.name || `netns ${ns.inode}`;
}

/**
 * The host's fullest namespace when it is at a worse level than the agent's own: max is global but
 * each namespace counts its own entries, so it leads the headline. Null otherwise.
 */
function leadingNamespace(usage) {
  const fullest = usage.fullest;
  return fullest && !fullest.own && LEVELS.indexOf(fullest.level) > LEVELS.indexOf(usage.level) ? fullest : null;
}

function drawGauge(usage) {
  const warn = usage.warnPercent ?? DEFAULT_WARN_PERCENT;
  const critical = usage.criticalPercent ?? DEFAULT_CRITICAL_PERCENT;
  const level = (usage.level || 'OK').toLowerCase();
  const gauge = $('usage-gauge');
  clearSvg(gauge);
  gauge.append(
    svg('path', { d: arc(0, 100, GAUGE.value), class: 'gauge-track' }),
    svg('path', { d: arc(0, warn, GAUGE.band), class: 'gauge-band ok' }),
    svg('path', { d: arc(warn, critical, GAUGE.band), class: 'gauge-band warn' }),
    svg('path', { d: arc(critical, 100, GAUGE.band), class: 'gauge-band critical' }),
    svg('path', { d: arc(0, Math.max(usage.usagePercent, 0.4), GAUGE.value), class: `gauge-value ${level}` }),
    svg('text', { x: GAUGE.x, y: GAUGE.y - 10, class: 'gauge-percent' }, `${usage.usagePercent.toFixed(1)} %`),
    gaugeTick(warn),
    gaugeTick(critical));
  $('usage-gauge-title').textContent = `${usage.subject}: usage ${usage.usagePercent.toFixed(2)} % of the maximum, `
    + `level ${usage.level}; WARN from ${warn} %, CRITICAL from ${critical} %`;
  $('usage-bands').textContent = `WARN from ${warn} %, CRITICAL from ${critical} % of the maximum`;
}

function showUsage(usage) {
  const leading = leadingNamespace(usage);
  drawGauge(leading
    ? { ...usage, usagePercent: leading.usagePercent, level: leading.level, subject: namespaceLabel(leading) }
    : { ...usage, subject: 'The agent\'s own namespace' });
  const headline = $('usage-headline');
  headline.hidden = !leading;
  $('usage-own-title').hidden = !leading;
  if (leading) {
    headline.className = `headline ${leading.level.toLowerCase()}`;
    headline.replaceChildren(`${namespaceLabel(leading)}: ${leading.usagePercent.toFixed(1)} % ${leading.level}`,
      el('small', {}, `The fullest namespace on this host: ${fmt(leading.count)} of ${fmt(usage.max)} entries`
        + (leading.containerId ? `, container ${leading.containerId.slice(0, 12)}` : '')
        + ` (inode ${leading.inode}). The maximum is global; each namespace counts its own entries.`));
  }
  $('usage-count').textContent = fmt(usage.count);
  $('usage-max').textContent = fmt(usage.max);
  $('usage-percent').textContent = `${percent(usage.usagePercent)} of the maximum`;
  const level = $('usage-level');
  level.textContent = usage.level;
  level.className = `level ${String(usage.level).toLowerCase()}`;
  $('usage-buckets').textContent = fmt(usage.buckets);
  $('usage-per-bucket').textContent = fmt(usage.entriesPerBucket);
  $('usage-memory').textContent = bytes(usage.memoryBytes);
  $('usage-time').textContent = time(usage.sampledAt);
}

// ---------------------------------------------------------------- history charts

const CHART = { width: 640, height: 190, left: 64, right: 12, top: 12, bottom: 26 };

/** A line chart of several series over time; null values leave a gap. Guides are dashed lines. */
function lineChart(node, times, series, yMax, guides = []) {
  clearSvg(node);
  const w = CHART.width - CHART.left - CHART.right;
  const h = CHART.height - CHART.top - CHART.bottom;
  const t0 = times[0];
  const span = Math.max(1, times[times.length - 1] - t0);
  const x = (t) => CHART.left + (times.length > 1 ? ((t - t0) / span) * w : w);
  const y = (v) => CHART.top + h - (Math.min(v, yMax) / yMax) * h;

  for (const fraction of [0, 0.5, 1]) {
    const value = yMax * fraction;
    node.append(
      svg('line', { x1: CHART.left, x2: CHART.left + w, y1: y(value), y2: y(value), class: 'grid-line' }),
      svg('text', { x: CHART.left - 6, y: y(value) + 4, class: 'axis-label y' }, compact(value)));
  }
  if (times.length > 0) {
    node.append(
      svg('text', { x: CHART.left, y: CHART.height - 6, class: 'axis-label' }, new Date(t0).toLocaleTimeString()),
      svg('text', { x: CHART.left + w, y: CHART.height - 6, class: 'axis-label end' },
        new Date(times[times.length - 1]).toLocaleTimeString()));
  }
  for (const guide of guides) {
    node.append(svg('line', { x1: CHART.left, x2: CHART.left + w, y1: y(guide.value), y2: y(guide.value),
      class: `guide ${guide.className}` }));
  }
  for (const line of series) {
    let d = '';
    let pen = 'M';
    line.values.forEach((value, i) => {
      if (value === null || value === undefined) {
        pen = 'M';
        return;
      }
      d += `${pen}${x(times[i]).toFixed(1)},${y(value).toFixed(1)} `;
      pen = 'L';
    });
    if (d) {
      node.append(svg('path', { d, class: `series ${line.className}` }));
    }
  }
}

/** The next round number at or above a value (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten), for an axis top. */
function niceCeiling(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((step) => step * power).find((candidate) => candidate >= value);
}

/** 1234567 -> "1.2M": short labels for a chart axis. */
function compact(value) {
  if (value >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return `${+value.toFixed(2)}`;
}

function showHistory(history, namespaces) {
  const points = history.points || [];
  const times = points.map((p) => Date.parse(p.time));
  const pick = (field) => points.map((p) => p[field]);
  const maxima = pick('max');
  const top = niceCeiling(Math.max(1, ...maxima, ...pick('count')) * 1.02);
  const lastMax = maxima.length ? maxima[maxima.length - 1] : 0;
  const usage = state.usage || {};
  const warn = usage.warnPercent ?? DEFAULT_WARN_PERCENT;
  const critical = usage.criticalPercent ?? DEFAULT_CRITICAL_PERCENT;
  lineChart($('history-entries'), times,
    [{ values: maxima, className: 'max' }, { values: pick('count'), className: 'count' }], top,
    lastMax ? [{ value: lastMax * warn / 100, className: 'warn' },
      { value: lastMax * critical / 100, className: 'critical' }] : []);

  // Drops summed over every namespace when the agent samples them all; else the agent's own only.
  const dropPoints = namespaces ? namespaces.points || [] : points;
  const dropTimes = dropPoints.map((p) => Date.parse(p.time));
  const pickDrops = (field) => dropPoints.map((p) => p[field]);
  const rates = ['dropPerSecond', 'earlyDropPerSecond', 'insertFailedPerSecond'];
  const highest = Math.max(1, ...rates.flatMap((field) => pickDrops(field).filter((v) => v != null)));
  lineChart($('history-drops'), dropTimes, [
    { values: pickDrops('insertFailedPerSecond'), className: 'insert-failed' },
    { values: pickDrops('earlyDropPerSecond'), className: 'early-drop' },
    { values: pickDrops('dropPerSecond'), className: 'drop' }], niceCeiling(highest * 1.02));
  const counted = dropPoints.length ? dropPoints[dropPoints.length - 1].namespaces : null;
  $('history-drops-scope').textContent = namespaces
    ? `(summed over all ${counted ? fmt(counted) + ' ' : ''}namespaces on the host)`
    : '(the agent\'s own namespace only)';
  $('history-entries-title').textContent = 'Entries of the agent\'s own namespace compared with the maximum';

  $('history-note').textContent = points.length
    ? `${points.length} samples every ${duration(history.interval)}; highest count ${fmt(history.peakCount)}.`
    : 'No samples yet: the agent samples every few seconds after it starts.';
}

/** "PT5S" -> "5 s" */
function duration(iso) {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(iso || '');
  if (!match) return iso || '?';
  const [, hours, minutes, seconds] = match;
  return [hours && `${hours} h`, minutes && `${minutes} min`, seconds && `${seconds} s`].filter(Boolean).join(' ');
}

// ---------------------------------------------------------------- events (live)

function showEvents() {
  const newestFirst = [...state.events.values()].sort((a, b) => b.id - a.id).slice(0, EVENTS_KEPT);
  const list = $('events-list');
  list.replaceChildren(...newestFirst.map((event) => el('li', { class: `event ${event.severity.toLowerCase()}` },
    el('span', { class: 'badge' }, event.severity),
    ' ',
    el('time', { datetime: event.time }, time(event.time)),
    ' ',
    el('strong', {}, event.type),
    event.netns || event.netnsInode ? el('span', { class: 'netns' }, ` in ${event.netns || 'netns ' + event.netnsInode}`)
      : null,
    el('div', { class: 'message' }, event.message))));
  if (!newestFirst.length) {
    list.replaceChildren(el('li', { class: 'hint' }, 'No events since the agent started.'));
  }
}

function addEvent(event) {
  state.events.set(event.id, event);
  state.lastEventId = Math.max(state.lastEventId, event.id);
  while (state.events.size > EVENTS_KEPT) {
    state.events.delete(Math.min(...state.events.keys()));
  }
}

async function loadEvents() {
  const result = await getJson(`api/v1/events?limit=${EVENTS_KEPT}`);
  if (result.body) {
    result.body.forEach(addEvent);
    showEvents();
  } else {
    $('events-live').textContent = failure(result, 'the events');
  }
}

/**
 * Follows api/v1/events/stream. EventSource cannot send the key header, so this reads the
 * text/event-stream with fetch: lines of "field: value", an empty line ends one event.
 */
async function followEvents() {
  const controller = new AbortController();
  state.stream = controller;
  const live = $('events-live');
  try {
    const headers = { 'X-API-Key': state.key, Accept: 'text/event-stream' };
    if (state.lastEventId > 0) {
      headers['Last-Event-ID'] = String(state.lastEventId);
    }
    const response = await fetch('api/v1/events/stream', { headers, cache: 'no-store', signal: controller.signal });
    if (response.status === 401) {
      throw new KeyRefused('The agent refused this key (401).');
    }
    if (!response.ok || !response.body) {
      throw new Error(failure({ status: response.status, problem: null }, 'the live events'));
    }
    live.textContent = 'Live: new events appear here as the agent sees them.';
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let message = { data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        if (line === '') {
          dispatchStreamed(message);
          message = { data: [] };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') message.data.push(text);
          else if (field === 'id') message.id = text;
          else if (field === 'event') message.event = text;
        }
      }
    }
    throw new Error('The live event stream ended.');
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof KeyRefused) {
      keyRefused(error.message);
      return;
    }
    live.textContent = `${error.message} Reconnecting in ${RECONNECT_MS / 1000} s…`;
    state.timers.push(setTimeout(followEvents, RECONNECT_MS));
  }
}

function dispatchStreamed(message) {
  if (!message.data.length) return;
  try {
    const event = JSON.parse(message.data.join('\n'));
    addEvent(event);
    showEvents();
  } catch (error) {
    console.warn('unreadable event', message, error);
  }
}

// ---------------------------------------------------------------- diagnosis

function showDiagnosis(result) {
  const body = $('diagnosis-body');
  if (!result.body) {
    body.replaceChildren(hint(failure(result, 'the diagnosis')));
    return;
  }
  const findings = result.body.findings || [];
  if (!findings.length) {
    body.replaceChildren(hint('No findings: nothing here needs attention.'));
    return;
  }
  body.replaceChildren(...findings.map((finding) => el('article', { class: `finding ${String(finding.severity).toLowerCase()}` },
    el('h3', {}, el('span', { class: 'badge' }, finding.severity), ' ', finding.title),
    finding.detail ? el('p', {}, finding.detail) : null,
    evidence(finding.evidence),
    finding.fix ? proposedRequest(finding.fix) : null)));
}

function evidence(facts) {
  if (!facts || typeof facts !== 'object' || !Object.keys(facts).length) return null;
  return el('dl', { class: 'facts-list' }, Object.entries(facts).flatMap(([name, value]) =>
    [el('dt', {}, name), el('dd', {}, factText(value))]));
}

function factText(value) {
  if (typeof value === 'number') return fmt(value);
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function proposedRequest(fix) {
  let request = `${fix.method} ${fix.path}`;
  if (fix.body !== undefined && fix.body !== null) {
    request += `\n\n${JSON.stringify(fix.body, null, 2)}`;
  }
  return el('div', { class: 'fix' },
    el('p', {}, el('strong', {}, 'Proposed request'), fix.description ? ` – ${fix.description}` : ''),
    el('pre', {}, el('code', {}, request)));
}

// ---------------------------------------------------------------- top sources

/**
 * Which namespace "Top sources" reads: the operator's choice, or (auto) the fullest one when it leads
 * and has a name under /run/netns (the entries API can only enter named namespaces). Null: the agent's own.
 */
function topSourcesNamespace() {
  if (state.topNetns !== 'auto') {
    return { name: state.topNetns || null, note: null };
  }
  const leading = leadingNamespace(state.usage || {});
  if (!leading) {
    return { name: null, note: null };
  }
  const name = leading.netns || leading.name;
  return name ? { name, note: null }
    : { name: null, note: `The fullest namespace (${namespaceLabel(leading)}) has no name under /run/netns, so its `
      + 'entries cannot be listed here; showing the agent\'s own.' };
}

/** Offers the agent's own namespace and every named one; keeps the operator's choice. */
function fillNamespaceChoice(namespaces) {
  const select = $('top-sources-netns');
  const named = (namespaces || []).filter((ns) => ns.name && !ns.own).map((ns) => ns.name).sort();
  const options = [el('option', { value: 'auto' }, 'the fullest one (follows it)'),
    el('option', { value: '' }, 'the agent\'s own'),
    ...named.map((name) => el('option', { value: name }, name))];
  if (state.topNetns && state.topNetns !== 'auto' && !named.includes(state.topNetns)) {
    state.topNetns = 'auto';
  }
  select.replaceChildren(...options);
  select.value = state.topNetns;
}

function showTopSources(result, target) {
  const body = $('top-sources-body');
  const scope = hint(`Namespace: ${target.name || 'the agent\'s own'}`
    + (state.topNetns === 'auto' && target.name ? ' (the fullest on this host)' : '') + '.');
  if (!result.body) {
    body.replaceChildren(scope, hint(failure(result, 'the entries summary')));
    return;
  }
  const summary = result.body;
  const groups = summary.groups || [];
  const matched = summary.matched ?? groups.reduce((sum, g) => sum + g.count, 0);
  const keyText = (key) => (key && typeof key === 'object'
    ? Object.values(key).map((v) => (v === null ? '(none)' : String(v))).join(' · ') : String(key));
  body.replaceChildren(...[scope, target.note ? hint(target.note) : null].filter(Boolean),
    groups.length ? table('Sources with the most entries', ['Source address', 'Entries#', 'Share#'],
      groups.map((g) => [keyText(g.key), fmt(g.count), matched ? percent((100 * g.count) / matched) : '–']))
      : hint('The table is empty.'),
    hint(`${fmt(summary.total ?? matched)} entries in the table`
      + (summary.otherMatched ? `; ${fmt(summary.otherMatched)} from other sources` : '')
      + (summary.exact === false ? `; counts may be short by up to ${fmt(summary.maxUndercount)}` : '') + '.'));
}

// ---------------------------------------------------------------- namespaces

function showNamespaces(result) {
  const body = $('namespaces-body');
  if (!result.body) {
    body.replaceChildren(hint(failure(result, 'the namespaces')));
    return;
  }
  const namespaces = [...result.body].sort((a, b) => (b.count ?? -1) - (a.count ?? -1));
  const warn = (state.usage && state.usage.warnPercent) ?? DEFAULT_WARN_PERCENT;
  const critical = (state.usage && state.usage.criticalPercent) ?? DEFAULT_CRITICAL_PERCENT;
  body.replaceChildren(table('Network namespaces by entries', ['Namespace', 'Entries#', 'Share of max#', 'Processes'],
    namespaces.map((ns) => [
      el('span', {}, ns.name || (ns.own ? 'the agent\'s own' : 'unnamed'), el('br'),
        el('small', { class: 'hint' }, `inode ${ns.inode}`)),
      fmt(ns.count),
      el('span', {}, el('meter', { min: 0, max: 100, low: warn, high: critical, optimum: 0,
        value: ns.usagePercent ?? 0, 'aria-label': `${percent(ns.usagePercent)} of the maximum` }),
        ' ', percent(ns.usagePercent)),
      processes(ns)])));
}

function processes(ns) {
  const shown = (ns.processes || []).slice(0, 3).map((p) => `${p.command} (${p.pid}`
    + (p.containerId ? `, container ${p.containerId.slice(0, 12)}` : '') + ')');
  const more = (ns.processCount || 0) - shown.length;
  return shown.join(', ') + (more > 0 ? ` and ${fmt(more)} more` : '') || 'none';
}

// ---------------------------------------------------------------- NOTRACK rules

function showNotrack(result) {
  const body = $('notrack-body');
  if (!result.body) {
    body.replaceChildren(hint(failure(result, 'the NOTRACK rules')));
    return;
  }
  const answer = result.body;
  const rules = answer.rules || [];
  const reconcile = answer.lastReconcile;
  body.replaceChildren(
    rules.length ? table('NOTRACK rules the agent owns', ['Rule', 'Traffic', 'In kernel', 'Packets#', 'Bytes#'],
      rules.map((rule) => [
        el('span', {}, el('code', {}, rule.id), rule.comment ? el('br') : null, rule.comment || null),
        trafficOf(rule),
        rule.inKernel ? 'yes' : el('strong', { class: 'critical-text' }, 'missing'),
        fmt(rule.packets),
        rule.bytes === null || rule.bytes === undefined ? '–' : bytes(rule.bytes)]))
      : hint('No NOTRACK rules: every flow is tracked.'),
    hint(`Backend ${answer.backend || 'unknown'}`
      + (reconcile ? `; last drift check ${time(reconcile.at)}`
        + (reconcile.error ? ` failed: ${reconcile.error}` : '') : '') + '.'),
    ...(answer.warnings || []).map((warning) => el('p', { class: 'warning-text' }, warning)));
}

function trafficOf(rule) {
  const parts = [rule.direction, rule.family && rule.family !== 'both' ? rule.family : null, rule.protocol,
    rule.src && `from ${rule.src}`, rule.sports && `sport ${rule.sports}`,
    rule.dst && `to ${rule.dst}`, rule.dports && `dport ${rule.dports}`,
    rule.iif && `in ${rule.iif}`, rule.oif && `out ${rule.oif}`];
  return parts.filter(Boolean).join(' ');
}

// ---------------------------------------------------------------- refresh loop

async function refreshUsage() {
  const [usage, history, namespaces] = await Promise.all([getJson('api/v1/conntrack/usage'),
    getJson('api/v1/conntrack/usage/history?window=15m'), getJson('api/v1/netns/history?window=15m')]);
  if (usage.body) {
    state.usage = usage.body;
    showUsage(usage.body);
    if (state.topShown !== undefined && topSourcesNamespace().name !== state.topShown) {
      refreshTopSources().catch(handleError); // the fullest namespace changed: follow it now
    }
  }
  if (history.body) {
    showHistory(history.body, namespaces.body);
  } else {
    $('history-note').textContent = failure(history, 'the history');
  }
  setStatus(usage.body ? `Updated ${new Date().toLocaleTimeString()}` : failure(usage, 'the usage'));
}

async function refreshDetails() {
  const [namespaces, diagnosis, notrack] = await Promise.all([
    getJson('api/v1/netns'),
    getJson('api/v1/diagnosis'),
    getJson('api/v1/notrack/rules')]);
  showNamespaces(namespaces);
  showDiagnosis(diagnosis);
  showNotrack(notrack);
  fillNamespaceChoice(namespaces.body);
  await refreshTopSources();
}

async function refreshTopSources() {
  const target = topSourcesNamespace();
  state.topShown = target.name;
  const netns = target.name ? `&netns=${encodeURIComponent(target.name)}` : '';
  showTopSources(await getJson(`api/v1/conntrack/entries/summary?groupBy=src&top=10${netns}`), target);
}

async function loadAgentFacts() {
  const agent = await getJson('api/v1/agent');
  if (agent.body) {
    const a = agent.body;
    $('agent-facts').textContent = [a.kernelRelease && `kernel ${a.kernelRelease}`, a.mode && `mode ${a.mode}`,
      a.netns && `netns ${a.netns}`].filter(Boolean).join(' · ');
  }
}

/** Runs a refresh now and then every `milliseconds` while the tab is visible. */
function every(milliseconds, refresh) {
  const run = () => {
    if (state.key && !document.hidden) {
      refresh().catch(handleError);
    }
  };
  run();
  state.timers.push(setInterval(run, milliseconds));
}

function handleError(error) {
  if (error instanceof KeyRefused) {
    keyRefused(error.message);
  } else {
    setStatus(`The agent did not answer: ${error.message}`);
  }
}

function setStatus(text) {
  $('status').textContent = text;
}

// ---------------------------------------------------------------- key handling

function start(key) {
  state.key = key;
  $('key-section').hidden = true;
  $('dashboard').hidden = false;
  $('forget-key').hidden = false;
  setStatus('Loading…');
  loadAgentFacts().catch(handleError);
  loadEvents().then(followEvents).catch(handleError);
  every(USAGE_EVERY_MS, refreshUsage);
  every(DETAILS_EVERY_MS, refreshDetails);
}

function stop() {
  state.timers.forEach((timer) => { clearInterval(timer); clearTimeout(timer); });
  state.timers = [];
  if (state.stream) state.stream.abort();
  state.key = null;
  state.events.clear();
  state.lastEventId = 0;
  state.topNetns = 'auto';
  state.topShown = undefined;
  sessionStorage.removeItem(KEY_STORAGE);
  $('dashboard').hidden = true;
  $('forget-key').hidden = true;
  $('key-section').hidden = false;
  $('api-key').value = '';
  $('api-key').focus();
}

function keyRefused(message) {
  if (!state.key) return;
  stop();
  $('key-error').textContent = `${message} Enter a key with the viewer role.`;
  setStatus('Enter an API key to see this host.');
}

document.addEventListener('DOMContentLoaded', () => {
  $('key-form').addEventListener('submit', (submit) => {
    submit.preventDefault();
    const key = $('api-key').value.trim();
    if (!key) return;
    $('key-error').textContent = '';
    sessionStorage.setItem(KEY_STORAGE, key);
    start(key);
  });
  $('top-sources-netns').addEventListener('change', (change) => {
    state.topNetns = change.target.value;
    refreshTopSources().catch(handleError);
  });
  $('forget-key').addEventListener('click', () => {
    stop();
    setStatus('Key forgotten. Enter an API key to see this host.');
  });
  const saved = sessionStorage.getItem(KEY_STORAGE);
  if (saved) {
    start(saved);
  } else {
    $('api-key').focus();
  }
});
