// The operators' page: plain DOM, no framework, no build step. Every text from the server is
// set with textContent, never parsed as HTML. The token lives in sessionStorage and travels only
// in the Authorization header; the event stream is read with fetch for the same reason.
'use strict';

const STATUSES = ['Pending', 'Running', 'Success', 'Failed', 'Timeout', 'DeadLetter',
  'Cancelling', 'Cancelled'];
const TERMINAL = new Set(['Success', 'Failed', 'Timeout', 'DeadLetter', 'Cancelled']);
const ROLES = ['viewer', 'operator', 'admin'];
const TERMINAL_EVENTS = {
  ExecutionSucceeded: 'Success', ExecutionFailed: 'Failed', ExecutionTimedOut: 'Timeout',
  ExecutionDeadLettered: 'DeadLetter', ExecutionCancelled: 'Cancelled',
};
const PAGE_SIZE = 20;

const session = {
  token: sessionStorage.getItem('stepwise.token'),
  user: null,   // {sub, role}
};

// ------------------------------------------------------------------ small DOM helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const $ = (id) => document.getElementById(id);

function badge(status) {
  return h('span', { class: 'badge s-' + status, 'data-status': status }, status || '—');
}

function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace('Z', ' UTC');
}

/** "3 min ago", with the absolute UTC time on hover; refreshed by tickTimes(). */
function timeCell(iso) {
  if (!iso) return h('span', {}, '—');
  return h('time', { datetime: iso, title: time(iso), 'data-rel': '' }, relative(iso));
}

function relative(iso) {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((Date.now() - at) / 1000);
  const ahead = seconds < 0;
  const span = humanSpan(Math.abs(seconds) * 1000);
  if (Math.abs(seconds) < 5) return 'just now';
  return ahead ? 'in ' + span : span + ' ago';
}

/** A length of time for a person: 850 ms, 12 s, 4 min 5 s, 3 h 2 min, 2 d 4 h. */
function humanSpan(ms) {
  if (ms < 1000) return Math.round(ms) + ' ms';
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : '');
  const hrs = Math.floor(m / 60);
  if (hrs < 24) return hrs + ' h' + (m % 60 ? ' ' + (m % 60) + ' min' : '');
  const d = Math.floor(hrs / 24);
  return d + ' d' + (hrs % 24 ? ' ' + (hrs % 24) + ' h' : '');
}

/** From start to end, or to now while it runs (then it keeps counting, see tickTimes). */
function durationCell(startIso, endIso) {
  if (!startIso) return h('span', {}, '—');
  const running = !endIso;
  return h('span', { class: 'duration', 'data-start': startIso, 'data-running': running ? 'true' : null,
    title: running ? 'running for' : time(startIso) + ' → ' + time(endIso) },
  humanSpan(new Date(endIso || Date.now()) - new Date(startIso)));
}

function tickTimes() {
  for (const el of document.querySelectorAll('time[data-rel]')) {
    const text = relative(el.getAttribute('datetime'));
    if (el.textContent !== text) el.textContent = text;
  }
  for (const el of document.querySelectorAll('.duration[data-running]')) {
    el.textContent = humanSpan(Date.now() - new Date(el.dataset.start));
  }
}

function shortId(id) {
  return id ? id.slice(0, 8) : '';
}

function notify(text, isError, link) {
  const box = $('notice');
  box.replaceChildren(h('p', { class: isError ? 'error' : null }, text,
    link ? [' ', h('a', { href: link.href }, link.text)] : null));
}

function clearNotice() {
  $('notice').replaceChildren();
}

// ------------------------------------------------------------------ tokens and the API

function decodeToken(token) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('that is not a JWT (three dot-separated parts)');
  const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(json);
  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  const role = ROLES.filter((r) => roles.includes(r)).pop() || null;
  return { sub: claims.sub || '?', role, exp: claims.exp };
}

function may(role) {
  const have = session.user && session.user.role;
  return have !== null && have !== undefined && ROLES.indexOf(have) >= ROLES.indexOf(role);
}

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + session.token, Accept: 'application/json' };
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (response.status === 401) {
    signOut('The server refused the token (' + ((data && data.detail) || 'unauthorized')
      + '). Sign in again.');
    throw new ApiError(401, 'signed out');
  }
  if (!response.ok) {
    throw new ApiError(response.status, (data && (data.detail || data.title))
      || response.status + ' ' + response.statusText);
  }
  return data;
}

function failed(what) {
  return (error) => {
    if (error instanceof ApiError && error.status === 401) return;
    notify(what + ': ' + error.message, true);
  };
}

// ------------------------------------------------------------------ the event stream

const stream = {
  controller: null,
  // kept in memory only: a new page loads the list afresh and follows from now, so resuming
  // belongs to this page's own reconnects, not to a later sign-in
  lastEventId: null,
  received: 0,
  state: null,
  listeners: new Set(),
  stateListeners: new Set(),
  recent: [],   // the last events, replayed to a view that loads after they arrived
};
const RECENT_EVENTS = 500;

function setLive(state) {
  const el = $('live');
  el.hidden = false;
  el.dataset.state = state;
  el.className = 'live ' + (state === 'live' ? 'on' : 'off');
  el.textContent = state === 'live' ? '● live' : '○ reconnecting…';
  el.title = state === 'live' ? 'Receiving events as they happen'
    : 'The event stream dropped; reconnecting and resuming where it left off';
  document.body.dataset.stream = state;
  const previous = stream.state;
  stream.state = state;
  if (previous !== state) for (const listener of stream.stateListeners) listener(state, previous);
}

/** True while the page hears every change; controls that act on what is shown wait for it. */
function isLive() {
  return stream.state === 'live';
}

function startStream() {
  stopStream();
  const controller = new AbortController();
  stream.controller = controller;
  readStream(controller.signal);
}

function stopStream() {
  if (stream.controller) stream.controller.abort();
  stream.controller = null;
  stream.lastEventId = null;
  stream.state = null;
}

async function readStream(signal) {
  let delay = 500;
  while (!signal.aborted) {
    try {
      const headers = { Authorization: 'Bearer ' + session.token, Accept: 'text/event-stream' };
      if (stream.lastEventId) headers['Last-Event-ID'] = stream.lastEventId;
      $('live').dataset.resumedFrom = stream.lastEventId || '';
      // from now: what happened before is on the lists, read from the read side; after a drop
      // Last-Event-ID takes precedence on the server and resumes exactly
      const response = await fetch('/api/events?since=now', { headers, signal, cache: 'no-store' });
      if (response.status === 401) {
        signOut('The server refused the token on the event stream. Sign in again.');
        return;
      }
      if (!response.ok || !response.body) throw new Error('event stream: ' + response.status);
      setLive('live');
      delay = 500;
      await readEvents(response.body, signal);
    } catch (error) {
      if (signal.aborted) return;
    }
    if (signal.aborted) return;
    setLive('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 10000);
  }
}

async function readEvents(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { id: null, data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done || signal.aborted) return;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (event.data.length) dispatch(event);
        event = { id: null, data: [] };
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'data') event.data.push(val);
        else if (field === 'id') event.id = val;
      }
    }
  }
}

function dispatch(event) {
  if (event.id) {
    stream.lastEventId = event.id;
    $('live').dataset.lastEventId = event.id;
  }
  let data;
  try { data = JSON.parse(event.data.join('\n')); } catch (e) { return; }
  stream.received += 1;
  $('live').dataset.received = String(stream.received);
  stream.recent.push(data);
  if (stream.recent.length > RECENT_EVENTS) stream.recent.shift();
  for (const listener of stream.listeners) listener(data);
}

/** An ISO-8601 UTC time with nine fraction digits, so that times compare as strings. */
function norm(iso) {
  const m = /^([^.Z]*)(?:\.(\d+))?Z$/.exec(iso || '');
  return m ? m[1] + '.' + (m[2] || '').padEnd(9, '0') + 'Z' : (iso || '');
}

/** How far along an execution is: a list row never goes back to an earlier status. */
function progress(status) {
  return TERMINAL.has(status) ? 3 : { Pending: 0, Running: 1, Cancelling: 2 }[status] ?? 0;
}

/** What an event changes in a list row; same meaning as the read side's projection. */
function applyEvent(row, e) {
  if (TERMINAL.has(row.status)) return false;   // an ended execution never changes again
  const latest = [row.createdAt, row.startedAt, row.completedAt,
    row.cancellation && row.cancellation.requestedAt].filter(Boolean).map(norm).sort().pop();
  if (latest && e.at && norm(e.at) < latest) return false;   // history it already shows
  switch (e.type) {
    case 'ExecutionStarted': row.status = 'Running'; row.startedAt = e.at; break;
    case 'StepStarted': row.currentStep = e.step; break;
    case 'StopRequested':
      row.status = 'Cancelling';
      row.cancellation = { mode: e.mode, reason: e.reason, requestedBy: e.requestedBy,
        requestedAt: e.at };
      break;
    case 'StopEscalated':
      if (row.cancellation) row.cancellation.mode = 'escalated';
      break;
    default:
      if (TERMINAL_EVENTS[e.type]) {
        row.status = TERMINAL_EVENTS[e.type];
        row.completedAt = e.at;
        row.currentStep = null;
        row.error = e.error || null;
      } else {
        return false;
      }
  }
  return true;
}

// ------------------------------------------------------------------ confirm dialog and stop menu

/**
 * The confirmation dialog of a stop. With {@code grace} it also offers the grace period
 * (seconds, prefilled with the execution's own) and answers the value when it was changed.
 */
function confirmDialog({ title, message, action, force, grace }) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-message').textContent = message;
  const ok = $('confirm-ok');
  ok.textContent = action;
  ok.className = force ? 'danger' : 'warn';
  dialog.dataset.mode = force ? 'force' : 'graceful';
  const reason = $('confirm-reason');
  reason.value = '';
  const graceWrap = $('confirm-grace-wrap');
  const graceInput = $('confirm-grace');
  graceWrap.hidden = grace === undefined;
  graceInput.value = grace === undefined ? '' : String(grace);
  return new Promise((resolve) => {
    const form = $('confirm-form');
    const done = (answer) => {
      form.removeEventListener('submit', onSubmit);
      $('confirm-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onEscape);
      dialog.close();
      resolve(answer);
    };
    const onSubmit = (ev) => {
      ev.preventDefault();
      const answer = { reason: reason.value.trim() };
      if (grace !== undefined && graceInput.value.trim() !== '') {
        const seconds = Number(graceInput.value);
        if (!Number.isInteger(seconds) || seconds < 0) {
          graceInput.setCustomValidity('Whole seconds, 0 or more');
          graceInput.reportValidity();
          return;
        }
        if (seconds !== grace) answer.graceSeconds = seconds;
      }
      done(answer);
    };
    graceInput.oninput = () => graceInput.setCustomValidity('');
    const onCancel = () => done(null);
    const onEscape = (ev) => { ev.preventDefault(); done(null); };
    form.addEventListener('submit', onSubmit);
    $('confirm-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onEscape);
    dialog.showModal();
    reason.focus();
  });
}

const DEFAULT_GRACE_SECONDS = 300;

/** What a stop will do, said for the execution's status (and grace period, when graceful). */
function stopMessage(row, force, count, grace) {
  const what = count ? count + ' selected execution' + (count > 1 ? 's' : '')
    : 'execution ' + shortId(row.id) + ' of job ' + row.job;
  if (!count && row.status === 'Pending') {
    return 'Stop ' + what + (force ? ' immediately' : ' gracefully') + ': it has not started '
      + 'yet, so it is cancelled at once and no step runs.';
  }
  const step = !count && row.currentStep ? 'the running step "' + row.currentStep + '"'
    : 'the running step';
  if (force) {
    return 'Stop ' + what + ' immediately: ' + step + ' is killed now (a shell step\'s whole '
      + 'process tree, an HTTP step\'s request, a sleep\'s timer). No further step starts, no '
      + 'retry, and no cleanup steps run. The execution ends Cancelled.';
  }
  const period = count
    ? 'each execution\'s grace period (its job\'s stopGraceSeconds, ' + DEFAULT_GRACE_SECONDS
      + ' s unless the job says otherwise)'
    : 'the grace period of ' + grace + ' s';
  return 'Stop ' + what + ' gracefully: ' + step + ' finishes on its own within ' + period
    + '; if it is still running then, it is killed and the stop is recorded as escalated. '
    + 'Then nothing after it starts and it is not retried; the job\'s cleanup steps (onCancel), '
    + 'if any, run within the same period. The execution shows Cancelling until then, and '
    + 'Cancelled after.' + (count ? ' Those still waiting to start are cancelled at once.' : '');
}

async function stopOne(row, force, after) {
  let grace;
  if (!force) {
    // the execution's own copy of its definition says its grace period
    try {
      const view = await api('GET', '/api/executions/' + encodeURIComponent(row.id));
      row = Object.assign({}, row, { status: view.status, currentStep: view.currentStep });
      grace = view.definition && view.definition.stopGraceSeconds !== null
        && view.definition.stopGraceSeconds !== undefined
        ? view.definition.stopGraceSeconds : DEFAULT_GRACE_SECONDS;
    } catch (error) {
      failed('Could not read execution ' + shortId(row.id))(error);
      return;
    }
  }
  const answer = await confirmDialog({
    title: force ? 'Stop immediately?' : 'Stop gracefully?',
    message: stopMessage(row, force, 0, grace),
    action: force ? 'Stop immediately' : 'Stop gracefully', force,
    grace: force || row.status === 'Pending' ? undefined : grace,
  });
  if (!answer) return;
  const body = {};
  if (answer.reason) body.reason = answer.reason;
  if (answer.graceSeconds !== undefined) body.graceSeconds = answer.graceSeconds;
  try {
    const view = await api('POST', '/api/executions/' + encodeURIComponent(row.id) + '/stop'
      + (force ? '?force=true' : ''), body);
    notify('Stop accepted: execution ' + shortId(row.id) + ' is ' + view.status + '.', false,
      { href: '#/executions/' + row.id, text: 'Open it' });
    if (after) after(view);
  } catch (error) {
    failed('Stop refused')(error);
  }
}

const OPERATOR_HINT = 'Needs the operator role; you are signed in as ';
const STALE_HINT = 'Waiting for the event stream: what is shown may be out of date';

function roleHint() {
  return OPERATOR_HINT + ((session.user && session.user.role) || 'no role') + '.';
}

/** "Stop ▾" and its menu of the two modes, usable with the keyboard alone. */
function stopMenu(row, after) {
  const allowed = may('operator');
  const wrap = h('span', { class: 'menu-wrap' });
  const menuId = 'menu-' + row.id;
  const toggle = h('button', {
    type: 'button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId,
    class: 'stop-toggle', 'aria-label': 'Stop execution ' + shortId(row.id) + '…',
    disabled: !isLive(), title: isLive() ? null : STALE_HINT,
  }, 'Stop ▾');
  const item = (label, force, disabledWhy) => h('button', {
    type: 'button', role: 'menuitem', class: force ? 'stop-force' : 'stop-graceful',
    disabled: !allowed || !!disabledWhy, title: !allowed ? roleHint() : disabledWhy || null,
    onclick: () => { close(true); stopOne(row, force, after); },
  }, label);
  const menu = h('div', { id: menuId, role: 'menu', class: 'menu', hidden: true },
    item('Stop gracefully', false,
      row.status === 'Cancelling' ? 'Already stopping gracefully' : null),
    item('Stop immediately', true, null),
    allowed ? null : h('span', { class: 'hint', role: 'note' }, roleHint()));
  const close = (refocus) => {
    menu.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    document.removeEventListener('click', outside, true);
    if (refocus) toggle.focus();
  };
  const outside = (ev) => { if (!wrap.contains(ev.target)) close(false); };
  toggle.addEventListener('click', () => {
    if (!menu.hidden) { close(false); return; }
    menu.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    document.addEventListener('click', outside, true);
    const first = menu.querySelector('button:not(:disabled)');
    if (first) first.focus();
  });
  menu.addEventListener('keydown', (ev) => {
    const items = [...menu.querySelectorAll('button:not(:disabled)')];
    const at = items.indexOf(document.activeElement);
    if (ev.key === 'Escape') { ev.preventDefault(); close(true); }
    else if (ev.key === 'ArrowDown' && items.length) {
      ev.preventDefault(); items[(at + 1) % items.length].focus();
    } else if (ev.key === 'ArrowUp' && items.length) {
      ev.preventDefault(); items[(at - 1 + items.length) % items.length].focus();
    }
  });
  wrap.append(toggle, menu);
  return wrap;
}

// ------------------------------------------------------------------ views

let teardown = () => {};

/** Ends what the previous view was listening to; route() calls it before building a view. */
function leaveView() {
  teardown();
  teardown = () => {};
}

function setView(section, ...children) {
  children = children.filter((child) => child !== null && child !== undefined && child !== false);
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  $('main').replaceChildren(...children);
}

function onEvents(listener) {
  stream.listeners.add(listener);
  const previous = teardown;
  teardown = () => { previous(); stream.listeners.delete(listener); };
}

/** Tells the view when the stream drops ('reconnecting') and when it is back ('live'). */
function onLiveChange(listener) {
  stream.stateListeners.add(listener);
  const previous = teardown;
  teardown = () => { previous(); stream.stateListeners.delete(listener); };
}

// ---- executions list (and dead letters, which is the same list with other columns)

const TIME_RANGES = [['', 'Any time'], ['15m', 'Last 15 minutes'], ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'], ['7d', 'Last 7 days']];
const RANGE_MS = { '15m': 15 * 60e3, '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3 };
/** Counts per status read from at most this many of the newest executions of the filter. */
const COUNTED = 500;
const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The earliest creation time the time-range filter lets through, or null for any time. */
function rangeStart(range) {
  return RANGE_MS[range] ? new Date(Date.now() - RANGE_MS[range]).toISOString() : null;
}

/** The list's hash for a filter, so that every view and filter has its own shareable URL. */
function listHash(filter) {
  const q = new URLSearchParams();
  for (const key of ['status', 'job', 'range']) if (filter[key]) q.set(key, filter[key]);
  return '#/executions' + (q.toString() ? '?' + q : '');
}

/** A list row built from an execution's detail view (an execution the list did not have). */
function summaryOf(view) {
  return { id: view.id, job: view.job, status: view.status, currentStep: view.currentStep,
    stepCount: view.steps ? view.steps.length : null, createdBy: view.createdBy,
    createdAt: view.createdAt, startAt: view.startAt, startedAt: view.startedAt,
    completedAt: view.completedAt, error: view.error, retryOf: view.retryOf, retriedBy: null,
    cancellation: view.cancellation ? { mode: view.cancellation.mode,
      reason: view.cancellation.reason, requestedBy: view.cancellation.requestedBy,
      requestedAt: view.cancellation.requestedAt } : null };
}

function listView(params, deadLetters) {
  const state = {
    status: deadLetters ? 'DeadLetter' : params.get('status') || '',
    job: deadLetters ? '' : params.get('job') || '',
    range: deadLetters ? '' : (RANGE_MS[params.get('range')] ? params.get('range') : ''),
    cursors: [null],          // cursors[i] is where page i starts
    rows: new Map(),          // id -> {data, tr}
    selected: new Set(),
    fresh: 0,                 // rows that arrived live since the page was read
    newestLoaded: null,       // createdAt of the newest row the page read
    adopting: new Set(),      // ids being read because an event made them match
  };
  const columns = deadLetters ? 8 : 10;
  const tbody = h('tbody');
  const pageInfo = h('span', { class: 'hint' });
  const newer = h('button', { type: 'button', id: 'newer', disabled: true,
    onclick: () => { state.cursors.pop(); load(); } }, '← Newer');
  const older = h('button', { type: 'button', id: 'older', disabled: true,
    onclick: () => { state.cursors.push(state.next); load(); } }, 'Older →');
  const freshMarker = h('button', { type: 'button', id: 'new-marker', class: 'new-marker',
    hidden: true, onclick: () => { state.cursors = [null]; load(); } });
  const staleNote = h('p', { id: 'stale-note', class: 'stale-note', role: 'status', hidden: true },
    'Not receiving updates: what is shown may be out of date. Stopping waits until the page '
    + 'hears the server again.');
  const counts = h('div', { id: 'status-counts', class: 'counts', 'aria-label': 'Executions per status' });
  const bulkCount = h('span', { class: 'hint', id: 'selected-count' }, 'none selected');
  const bulkButton = (force) => h('button', {
    type: 'button', id: force ? 'bulk-force' : 'bulk-graceful', disabled: true,
    class: force ? 'danger-outline' : 'warn-outline',
    title: may('operator') ? null : roleHint(), onclick: () => bulkStop(force),
  }, force ? 'Stop selected immediately' : 'Stop selected gracefully');
  const bulkGraceful = bulkButton(false);
  const bulkForce = bulkButton(true);
  const table = h('table', { id: 'executions', class: deadLetters ? 'dead-letters' : null });

  const statusSelect = h('select', { id: 'filter-status' },
    h('option', { value: '' }, 'All statuses'),
    STATUSES.map((s) => h('option', { value: s, selected: s === state.status }, s)));
  const jobSelect = h('select', { id: 'filter-job' }, h('option', { value: '' }, 'All jobs'));
  if (state.job) jobSelect.append(h('option', { value: state.job, selected: true }, state.job));
  const rangeSelect = h('select', { id: 'filter-range' },
    TIME_RANGES.map(([v, label]) => h('option', { value: v, selected: v === state.range }, label)));
  const refilter = () => {
    location.hash = listHash({ status: statusSelect.value, job: jobSelect.value,
      range: rangeSelect.value });
  };
  statusSelect.addEventListener('change', refilter);
  jobSelect.addEventListener('change', refilter);
  rangeSelect.addEventListener('change', refilter);
  api('GET', '/api/jobs').then((list) => {
    for (const job of list.items) {
      if (job.name !== state.job) jobSelect.append(h('option', { value: job.name }, job.name));
    }
  }).catch(failed('Could not list jobs'));

  const searchInput = h('input', { type: 'search', id: 'search-id', autocomplete: 'off',
    spellcheck: 'false', placeholder: 'full or short id', 'aria-label': 'Execution id' });
  const search = h('form', { class: 'search', id: 'search', role: 'search' },
    h('label', {}, 'Open execution', searchInput),
    h('button', { type: 'submit' }, 'Open'));
  search.addEventListener('submit', (ev) => { ev.preventDefault(); openById(searchInput.value); });

  const th = (text, cls) => h('th', { scope: 'col', class: cls || null }, text);
  const headRow = h('tr', {},
    deadLetters ? null : th(h('span', { class: 'hint' }, 'Select')),
    th('Execution'), th('Job'), th('Status'), th(deadLetters ? 'Failed step' : 'Step', 'opt'),
    th('Created', 'opt'),
    deadLetters ? null : th('Started', 'opt'), deadLetters ? null : th('Duration', 'opt'),
    deadLetters ? th('Ended', 'opt') : null,
    th(deadLetters ? 'Error' : 'By', 'opt'), th('Actions'));

  /** Whether a row belongs in this view: the same filters the server applied. */
  function matches(data) {
    if (state.status && data.status !== state.status) return false;
    if (state.job && data.job !== state.job) return false;
    const from = rangeStart(state.range);
    return !from || norm(data.createdAt) >= norm(from);
  }

  function updateBulk() {
    for (const id of [...state.selected]) {
      const row = state.rows.get(id);
      if (!row || TERMINAL.has(row.data.status)) state.selected.delete(id);
    }
    const n = state.selected.size;
    bulkCount.textContent = n ? n + ' selected' : 'none selected';
    bulkGraceful.disabled = bulkForce.disabled = n === 0 || !may('operator') || !isLive();
  }

  function cells(data) {
    const tds = [];
    if (!deadLetters) {
      const box = h('input', {
        type: 'checkbox', class: 'select', checked: state.selected.has(data.id),
        disabled: TERMINAL.has(data.status) || !may('operator'),
        title: TERMINAL.has(data.status) ? 'Ended: nothing to stop'
          : may('operator') ? null : roleHint(),
        'aria-label': 'Select execution ' + shortId(data.id),
        onchange: (ev) => {
          if (ev.target.checked) state.selected.add(data.id); else state.selected.delete(data.id);
          updateBulk();
        },
      });
      tds.push(h('td', { class: 'pick' }, box));
    }
    tds.push(
      h('td', { class: 'mono id' }, h('a', { href: '#/executions/' + data.id, title: data.id },
        shortId(data.id))),
      h('td', { class: 'job' }, data.job),
      h('td', { class: 'status' }, badge(data.status)),
      h('td', { class: 'opt step' }, (deadLetters ? data.failedStep : data.currentStep) || '—'),
      h('td', { class: 'opt' }, timeCell(data.createdAt)));
    if (deadLetters) {
      tds.push(h('td', { class: 'opt' }, timeCell(data.completedAt)),
        h('td', { class: 'opt error' }, data.error || '—'));
    } else {
      tds.push(h('td', { class: 'opt' }, timeCell(data.startedAt)),
        h('td', { class: 'opt' }, durationCell(data.startedAt, data.completedAt)),
        h('td', { class: 'opt' }, data.createdBy || '—'));
    }
    const actions = h('td', { class: 'actions' });
    if (deadLetters) {
      const spent = !!data.retriedBy || !!data.retrying;
      actions.append(h('button', {
        type: 'button', class: 'retry', disabled: !may('operator') || spent,
        title: !may('operator') ? roleHint() : data.retriedBy ? 'Already retried'
          : 'Start a new execution of the same definition',
        onclick: () => {
          data.retrying = true;
          render(state.rows.get(data.id));
          retry(data.id, (view) => { data.retriedBy = view.id; }).finally(() => {
            data.retrying = false;
            render(state.rows.get(data.id));
          });
        },
      }, 'Retry'));
      if (data.retriedBy) {
        actions.append(' ', h('a', { href: '#/executions/' + data.retriedBy, class: 'retried' },
          'retried as ' + shortId(data.retriedBy)));
      }
    } else if (!TERMINAL.has(data.status)) {
      actions.append(stopMenu(data, (view) => applyView(view)));
    }
    tds.push(actions);
    return tds;
  }

  function render(row) {
    if (!row) return;
    // a keyboard user keeps their place when a live update redraws the row under them
    const focused = row.tr.contains(document.activeElement)
      ? document.activeElement.classList[0] || null : null;
    row.tr.replaceChildren(...cells(row.data));
    row.tr.dataset.status = row.data.status;
    row.tr.dataset.job = row.data.job;
    const again = focused ? row.tr.querySelector('.' + focused) : null;
    if (again && !again.disabled) again.focus({ preventScroll: true });
  }

  function showEmpty() {
    if (state.rows.size || tbody.querySelector('td.empty')) return;
    tbody.append(h('tr', {}, h('td', { class: 'empty', colspan: columns },
      deadLetters ? 'No dead letters.' : 'No executions match.')));
  }

  function makeRow(data) {
    const row = { data, tr: h('tr', { 'data-id': data.id }) };
    state.rows.set(data.id, row);
    render(row);
    const empty = tbody.querySelector('td.empty');
    if (empty) empty.parentElement.remove();
    return row;
  }

  /** Newest first, as the server orders them. */
  function insertInOrder(row) {
    const at = norm(row.data.createdAt);
    for (const other of tbody.querySelectorAll('tr[data-id]')) {
      const o = state.rows.get(other.dataset.id);
      if (o && o !== row && norm(o.data.createdAt) < at) { tbody.insertBefore(row.tr, other); return; }
    }
    tbody.append(row.tr);
  }

  function removeRow(id) {
    const row = state.rows.get(id);
    if (!row) return;
    row.tr.remove();
    state.rows.delete(id);
    state.selected.delete(id);
    showEmpty();
  }

  /** A row that arrived live: it belongs on the first page, above what the page read. */
  function addLive(data) {
    const row = makeRow(data);
    insertInOrder(row);
    if (!state.newestLoaded || norm(data.createdAt) > state.newestLoaded) state.fresh += 1;
    updateFresh();
  }

  function updateFresh() {
    // only once the page grows past its size: below it, new rows simply fill it
    const shown = state.cursors.length === 1 && state.fresh > 0 && state.rows.size > PAGE_SIZE;
    freshMarker.hidden = !shown;
    freshMarker.textContent = state.fresh + ' new since this page was read · show the newest '
      + PAGE_SIZE;
  }

  function applyView(view) {
    const row = state.rows.get(view.id);
    if (!row || TERMINAL.has(row.data.status)) return;
    Object.assign(row.data, { status: view.status, currentStep: view.currentStep,
      completedAt: view.completedAt, cancellation: view.cancellation });
    settle(row);
  }

  /** After a change: re-render, or leave the view when the row no longer matches its filter. */
  function settle(row) {
    if (!matches(row.data)) removeRow(row.data.id);
    else render(row);
    updateBulk();
  }

  let loading = 0;
  /**
   * Reads the page. A fresh load replaces it (first view, paging, "show newest"); a merge
   * (after a drop, and once the read side caught up) keeps the rows and their open menus,
   * updates what changed, adds what is new and drops what no longer matches.
   */
  async function load(merge) {
    if (merge && !state.rows.size) merge = false;
    const ticket = ++loading;
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (!deadLetters && state.status) q.set('status', state.status);
    if (state.job) q.set('job', state.job);
    const cursor = state.cursors[state.cursors.length - 1];
    if (cursor) q.set('cursor', cursor);
    try {
      const page = await api('GET', (deadLetters ? '/api/dead-letters?' : '/api/executions?') + q);
      if (ticket !== loading) return;   // a newer load is under way
      const from = rangeStart(state.range);
      const items = page.items.filter((item) => !from || norm(item.createdAt) >= norm(from));
      if (merge) mergeRows(items); else replaceRows(items);
      // events that arrived before this page was read: the read side may trail them
      if (state.cursors.length === 1) for (const e of stream.recent) onEvent(e, true);
      for (const row of [...state.rows.values()]) if (!matches(row.data)) removeRow(row.data.id);
      showEmpty();
      // the time range ends the list once a page reaches past it
      state.next = items.length < page.items.length ? null : page.nextCursor;
      older.disabled = !state.next;
      newer.disabled = state.cursors.length <= 1;
      pageInfo.textContent = 'Page ' + state.cursors.length + ' · newest first';
      updateFresh();
      updateBulk();
      if (deadLetters) findFailedSteps();
      countSoon(0);
    } catch (error) {
      failed('Could not list executions')(error);
    }
  }

  function replaceRows(items) {
    state.rows.clear();
    tbody.replaceChildren();
    state.fresh = 0;
    state.newestLoaded = items.length ? norm(items[0].createdAt) : null;
    for (const item of items) tbody.append(makeRow(item).tr);
  }

  function mergeRows(items) {
    const oldest = items.length ? norm(items[items.length - 1].createdAt) : null;
    const newest = items.length ? norm(items[0].createdAt) : null;
    const seen = new Set();
    for (const item of items) {
      seen.add(item.id);
      const row = state.rows.get(item.id);
      if (!row) { addLive(item); continue; }
      // the read side may trail what the stream already said: never go back
      if (TERMINAL.has(row.data.status) || JSON.stringify(row.data) === JSON.stringify(
        Object.assign({}, row.data, item))) continue;
      if (progress(item.status) < progress(row.data.status)) continue;
      Object.assign(row.data, item);
      render(row);
    }
    // a row within the page's span that the server no longer lists has stopped matching;
    // older ones were only pushed down by new rows
    for (const row of [...state.rows.values()]) {
      const at = norm(row.data.createdAt);
      if (!seen.has(row.data.id) && oldest && at >= oldest && at <= newest) {
        removeRow(row.data.id);
      }
    }
  }

  /** The summary has no failed step; each dead letter's detail names it. */
  function findFailedSteps() {
    for (const row of state.rows.values()) {
      if (row.data.failedStep) continue;
      api('GET', '/api/executions/' + encodeURIComponent(row.data.id)).then((view) => {
        const failedStep = view.steps.filter((s) => s.status === 'Failed').pop();
        row.data.failedStep = failedStep ? failedStep.name : null;
        if (state.rows.get(row.data.id) === row) render(row);
      }).catch(() => {});
    }
  }

  let countTimer = null;
  let countedAt = 0;
  function countSoon(delay) {
    if (deadLetters || countTimer || !isLive()) return;
    const wait = Math.max(delay, 2000 - (Date.now() - countedAt));
    countTimer = setTimeout(() => { countTimer = null; countedAt = Date.now(); count(); }, wait);
  }

  /** Executions per status for the job and time range: the status filter's own chips. */
  async function count() {
    const q = new URLSearchParams({ limit: String(COUNTED) });
    if (state.job) q.set('job', state.job);
    try {
      const page = await api('GET', '/api/executions?' + q);
      const from = rangeStart(state.range);
      const items = page.items.filter((item) => !from || norm(item.createdAt) >= norm(from));
      const partial = items.length === page.items.length && !!page.nextCursor;
      const tally = {};
      for (const item of items) tally[item.status] = (tally[item.status] || 0) + 1;
      const chip = (status, n) => h('a', {
        href: listHash({ status, job: state.job, range: state.range }),
        class: 'count' + (status === state.status ? ' current' : ''), 'data-count-status': status || 'all',
        'aria-current': status === state.status ? 'true' : null,
      }, status ? badge(status) : 'All', ' ', h('strong', {}, String(n) + (partial ? '+' : '')));
      counts.replaceChildren(chip('', items.length),
        ...STATUSES.filter((s) => tally[s]).map((s) => chip(s, tally[s])),
        ...(partial ? [h('span', { class: 'hint' }, 'counted over the newest ' + COUNTED)] : []));
    } catch (error) {
      // counts are a convenience; the list itself reports its own failures
    }
  }

  /** Reads an execution an event made match this view, and shows it where it belongs. */
  async function adopt(id) {
    if (state.adopting.has(id)) return;
    state.adopting.add(id);
    try {
      const view = await api('GET', '/api/executions/' + encodeURIComponent(id));
      if (state.rows.has(id) || state.cursors.length > 1) return;
      const data = summaryOf(view);
      for (const e of stream.recent) if (e.executionId === id) applyEvent(data, e);
      if (!matches(data)) return;
      const rows = [...state.rows.values()];
      const oldest = rows.length ? rows.map((r) => norm(r.data.createdAt)).sort()[0] : null;
      // older than the whole page and the page is full: it lives on a later page
      if (state.next && oldest && norm(data.createdAt) < oldest) return;
      addLive(data);
      updateBulk();
    } catch (error) {
      // the next reload shows it anyway
    } finally {
      state.adopting.delete(id);
    }
  }

  function onEvent(e, replayed) {
    const row = state.rows.get(e.executionId);
    if (row) {
      if (applyEvent(row.data, e)) settle(row);
      return;
    }
    if (deadLetters && e.type === 'ExecutionDeadLettered' && state.cursors.length === 1) {
      if (!replayed) adopt(e.executionId);
      return;
    }
    if (state.cursors.length > 1 || (state.job && e.job !== state.job)) return;
    if (e.type === 'ExecutionCreated' && !deadLetters) {
      const data = { id: e.executionId, job: e.job, status: 'Pending', currentStep: null,
        stepCount: e.definition && e.definition.steps ? e.definition.steps.length : null,
        createdBy: e.createdBy, createdAt: e.at, startAt: e.startAt, startedAt: null,
        completedAt: null, cancellation: null, error: null, retryOf: e.retryOf,
        retriedBy: null };
      if (!matches(data)) return;
      if (replayed && state.newestLoaded && norm(e.at) <= state.newestLoaded) return;
      addLive(data);
      return;
    }
    const status = TERMINAL_EVENTS[e.type] || (e.type === 'ExecutionStarted' ? 'Running'
      : e.type === 'StopRequested' ? 'Cancelling' : null);
    if (status && state.status === status && !deadLetters) adopt(e.executionId);
  }
  onEvents((e) => {
    onEvent(e, false);
    if (TERMINAL_EVENTS[e.type] || e.type === 'ExecutionCreated' || e.type === 'ExecutionStarted'
      || e.type === 'StopRequested') countSoon(500);
  });

  let catchUp = null;
  onLiveChange((now) => {
    table.dataset.stale = now === 'live' ? 'false' : 'true';
    staleNote.hidden = now === 'live';
    for (const row of state.rows.values()) render(row);
    updateBulk();
    clearTimeout(catchUp);
    if (now === 'live') {
      // what changed while the page could not hear: read it again, and once more when the
      // read side has caught up with the events of the last moment
      load(true);
      catchUp = setTimeout(() => load(true), 1500);
    }
  });
  table.dataset.stale = isLive() ? 'false' : 'true';
  staleNote.hidden = isLive() || stream.state === null;

  async function bulkStop(force) {
    const ids = [...state.selected];
    if (!ids.length) return;
    const answer = await confirmDialog({
      title: force ? 'Stop ' + ids.length + ' immediately?' : 'Stop ' + ids.length + ' gracefully?',
      message: stopMessage(null, force, ids.length),
      action: force ? 'Stop immediately' : 'Stop gracefully', force,
    });
    if (!answer) return;
    try {
      const result = await api('POST', '/api/executions/stop',
        { ids, force, reason: answer.reason || null });
      const tally = {};
      for (const r of result.results) tally[r.outcome] = (tally[r.outcome] || 0) + 1;
      notify('Bulk stop: ' + Object.entries(tally).map(([k, v]) => v + ' ' + k).join(', ') + '.');
      for (const r of result.results) {
        const row = state.rows.get(r.id);
        if (row && r.status && !TERMINAL.has(row.data.status)) {
          row.data.status = r.status;
          settle(row);
        }
      }
      state.selected.clear();
      for (const row of state.rows.values()) render(row);
      updateBulk();
    } catch (error) {
      failed('Bulk stop failed')(error);
    }
  }

  const toolbar = deadLetters
    ? h('div', { class: 'toolbar' }, h('span', { class: 'hint' },
      'Executions whose steps failed every attempt. Retry starts a new execution of the same '
      + 'definition.'), may('operator') ? null : h('span', { class: 'hint' }, roleHint()))
    : h('div', { class: 'toolbar' },
      h('label', {}, 'Status', statusSelect), h('label', {}, 'Job', jobSelect),
      h('label', {}, 'Created', rangeSelect), search,
      h('span', { class: 'spacer' }),
      bulkCount, bulkGraceful, bulkForce,
      may('operator') ? null : h('span', { class: 'hint', id: 'role-hint' }, roleHint()));

  document.title = (deadLetters ? 'Dead letters' : 'Executions'
    + (state.status ? ' · ' + state.status : '') + (state.job ? ' · ' + state.job : ''))
    + ' · Stepwise';
  table.append(h('caption', { class: 'skip' }, deadLetters ? 'Dead letters' : 'Executions, newest first'),
    h('thead', {}, headRow), tbody);
  setView(deadLetters ? 'dead-letters' : 'executions',
    h('h1', {}, deadLetters ? 'Dead letters' : 'Executions'), toolbar,
    deadLetters ? null : counts, staleNote, freshMarker,
    h('div', { class: 'table-wrap' }, table),
    h('div', { class: 'pager' }, newer, older, pageInfo));
  const previous = teardown;
  teardown = () => { previous(); clearTimeout(countTimer); clearTimeout(catchUp); };
  load();
}

/** Opens an execution from a pasted id: a full id at once, a short one by its first characters. */
async function openById(raw) {
  const wanted = (raw || '').trim().toLowerCase();
  if (FULL_ID.test(wanted)) { location.hash = '#/executions/' + wanted; return; }
  if (!/^[0-9a-f-]{4,36}$/.test(wanted)) {
    notify('Not an execution id: paste a full id or its first characters (at least 4).', true);
    return;
  }
  try {
    let cursor = null;
    for (let pages = 0; pages < 10; pages++) {
      const q = new URLSearchParams({ limit: String(COUNTED) });
      if (cursor) q.set('cursor', cursor);
      const page = await api('GET', '/api/executions?' + q);
      const found = page.items.filter((item) => item.id.startsWith(wanted));
      if (found.length === 1) { location.hash = '#/executions/' + found[0].id; return; }
      if (found.length > 1) {
        notify(found.length + ' executions start with ' + wanted + '; paste more of the id.', true);
        return;
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    notify('No execution id starts with ' + wanted + '.', true);
  } catch (error) {
    failed('Could not search')(error);
  }
}

async function retry(id, after) {
  try {
    const view = await api('POST', '/api/executions/' + encodeURIComponent(id) + '/retry');
    if (after) after(view);
    notify('Retry started: execution ' + shortId(view.id) + ' (' + view.status + ').', false,
      { href: '#/executions/' + view.id, text: 'Open it' });
  } catch (error) {
    failed('Retry refused')(error);
  }
}

// ---- execution detail

/** Where an attempt's output is served (see openapi.yaml: the step-output routes). */
function outputPath(executionId, index, attempt) {
  return '/api/executions/' + encodeURIComponent(executionId) + '/steps/' + index + '/attempts/'
    + attempt + '/output';
}

/** Saves an attempt's whole output as a file: read with the token, then handed over as a blob. */
async function downloadOutput(executionId, index, attempt, stepName) {
  try {
    const response = await fetch(outputPath(executionId, index, attempt),
      { headers: { Authorization: 'Bearer ' + session.token }, cache: 'no-store' });
    if (!response.ok) throw new Error(await problemText(response));
    const url = URL.createObjectURL(await response.blob());
    const link = h('a', { href: url, download: shortId(executionId) + '-' + stepName + '-attempt-'
      + attempt + '.log', hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (error) {
    notify('Could not download the output: ' + error.message, true);
  }
}

async function problemText(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || String(response.status);
  } catch (e) {
    return response.status + ' ' + response.statusText;
  }
}

/**
 * The output of one step attempt in a {@code <pre>}: followed live while the step runs (an
 * event stream resumed from the last byte offset after a drop), read whole once it ended.
 */
function attemptOutput(executionId, index, attempt, stepName) {
  const pre = h('pre', { class: 'output', tabindex: 0, 'data-index': index, 'data-attempt': attempt,
    'aria-label': 'Output of ' + stepName + ', attempt ' + attempt });
  const note = h('p', { class: 'hint output-note' });
  const download = h('button', { type: 'button', class: 'download',
    onclick: () => downloadOutput(executionId, index, attempt, stepName) }, 'Download output');
  const box = h('div', { class: 'attempt-output' }, pre, h('div', { class: 'output-bar' }, download, note));
  const output = { box, pre, note, offset: 0, controller: null, mode: null };

  function append(text) {
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
    pre.append(text);
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  output.follow = () => {
    if (output.mode === 'follow' || output.mode === 'whole') return;
    output.mode = 'follow';
    pre.dataset.live = 'true';
    note.textContent = 'Following the output as the step writes it.';
    const controller = new AbortController();
    output.controller = controller;
    (async () => {
      let delay = 500;
      while (!controller.signal.aborted) {
        try {
          const headers = { Authorization: 'Bearer ' + session.token, Accept: 'text/event-stream' };
          if (output.offset) headers['Last-Event-ID'] = String(output.offset);
          const response = await fetch(outputPath(executionId, index, attempt) + '?follow=true',
            { headers, signal: controller.signal, cache: 'no-store' });
          if (!response.ok || !response.body) {
            note.textContent = 'No live output: ' + await problemText(response);
            if (response.status >= 400 && response.status < 500) break;
            throw new Error(String(response.status));
          }
          delay = 500;
          let ended = false;
          await readSse(response.body, controller.signal, (type, id, data) => {
            if (type === 'end') { ended = true; return; }
            const chunk = JSON.parse(data);
            append(chunk.text);
            if (id) output.offset = Number(id);
          });
          if (ended) break;
        } catch (error) {
          if (controller.signal.aborted) return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5000);
      }
      delete pre.dataset.live;
      if (!controller.signal.aborted) note.textContent = 'The step ended; this is all it wrote.';
    })();
  };

  /** Reads the whole output; until it comes, and if it cannot, the tail the event carried. */
  output.whole = async (tail) => {
    if (output.mode === 'whole' || output.mode === 'missing') return;
    if (output.controller) output.controller.abort();
    const followed = output.mode === 'follow';
    output.mode = 'whole';
    delete pre.dataset.live;
    if (!followed && tail) pre.textContent = tail;
    try {
      const response = await fetch(outputPath(executionId, index, attempt),
        { headers: { Authorization: 'Bearer ' + session.token }, cache: 'no-store' });
      if (!response.ok) {
        note.textContent = (tail ? 'Only the last lines: ' : 'No output: ')
          + await problemText(response);
        output.mode = 'missing';
        return;
      }
      const text = await response.text();
      pre.textContent = text.length > 262144 ? '…' + text.slice(-262144) : text;
      output.offset = Number(response.headers.get('Content-Length')) || text.length;
      note.textContent = (text.length > 262144 ? 'The last 256 KiB; download for all of it. '
        : '') + (response.headers.get('Stepwise-Output-Truncated') === 'true'
        ? 'Longer than the node keeps: the middle was left out. ' : '') + 'Whole output of attempt '
        + attempt + '.';
      pre.scrollTop = pre.scrollHeight;
    } catch (error) {
      note.textContent = 'Could not read the output: ' + error.message;
      output.mode = 'missing';
    }
  };

  output.close = () => { if (output.controller) output.controller.abort(); };
  return output;
}

/** Reads Server-Sent Events from a fetch body, calling {@code onEvent(type, id, data)}. */
async function readSse(body, signal, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { type: 'message', id: null, data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done || signal.aborted) return;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (event.data.length || event.type !== 'message') onEvent(event.type, event.id, event.data.join('\n'));
        event = { type: 'message', id: null, data: [] };
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'data') event.data.push(val);
        else if (field === 'id') event.id = val;
        else if (field === 'event') event.type = val;
      }
    }
  }
}

/** What a history entry says beyond its type: which step, which attempt, and how it ended. */
function eventDetails(e, steps) {
  const stepName = e.step || (e.index !== undefined && e.index !== null && steps[e.index]
    ? steps[e.index].name : null);
  return [
    stepName ? h('span', { class: 'ev-step' }, 'step ' + stepName) : null,
    e.attempt ? h('span', {}, 'attempt ' + e.attempt) : null,
    e.exitCode !== null && e.exitCode !== undefined ? h('span', {}, 'exit code ' + e.exitCode) : null,
    e.error ? h('span', { class: 'ev-error' }, e.error) : null,
    e.cause ? h('span', {}, e.cause) : null,
    e.requestedBy ? h('span', {}, 'by ' + e.requestedBy) : null,
    e.createdBy ? h('span', {}, 'by ' + e.createdBy) : null,
    e.mode ? h('span', {}, e.mode) : null,
    e.reason ? h('span', {}, '“' + e.reason + '”') : null,
  ];
}

/** Copies text to the clipboard, with a fallback for browsers that refuse the async API. */
async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    const field = h('textarea', { class: 'offscreen', readonly: true });
    field.value = text;
    document.body.append(field);
    field.select();
    document.execCommand('copy');
    field.remove();
  }
  const label = button.textContent;
  button.textContent = 'Copied';
  setTimeout(() => { button.textContent = label; }, 1500);
}

function detailView(id) {
  const state = { view: null, history: [], asOf: null };
  const outputs = new Map();   // "index-attempt" -> attemptOutput, kept across renders
  const copy = h('button', { type: 'button', id: 'copy-id', class: 'small',
    title: 'Copy the execution id', onclick: () => copyText(id, copy) }, 'Copy id');
  const heading = h('h1', {}, 'Execution ', h('span', { class: 'mono', id: 'execution-id' }, id),
    ' ', copy);
  const summary = h('div', { id: 'summary' });
  const staleNote = h('p', { id: 'stale-note', class: 'stale-note', role: 'status', hidden: true },
    'Not receiving updates: what is shown may be out of date. Stopping waits until the page '
    + 'hears the server again.');
  const asOfBar = h('div', { id: 'asof' });
  const steps = h('section', { 'aria-labelledby': 'steps-title' });
  const cancel = h('section', { id: 'cancellation' });
  const history = h('section', { class: 'history panel', 'aria-labelledby': 'history-title' });

  function facts(pairs) {
    return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined).map(([k, v]) =>
      [h('dt', {}, k), h('dd', {}, v === null || v === '' ? '—' : v)]));
  }

  function renderView(view, isPast) {
    if (!isPast) document.title = view.status + ' · ' + shortId(view.id) + ' · ' + view.job
      + ' · Stepwise';
    const actions = [];
    if (!isPast && !TERMINAL.has(view.status)) {
      actions.push(stopMenu({ id: view.id, job: view.job, status: view.status,
        currentStep: view.currentStep }, () => refresh()));
    }
    if (!isPast && TERMINAL.has(view.status) && view.status !== 'Success') {
      actions.push(h('button', { type: 'button', class: 'retry', disabled: !may('operator'),
        title: may('operator') ? 'Start a new execution of the same definition' : roleHint(),
        onclick: () => retry(view.id) }, 'Retry'));
    }
    summary.replaceChildren(h('div', { class: 'panel cols' }, h('div', {},
      h('div', { class: 'toolbar' }, h('span', { id: 'detail-status' }, badge(view.status)),
        h('span', {}, 'Job ', h('a', { href: '#/jobs/' + encodeURIComponent(view.job) }, view.job)),
        h('span', { class: 'spacer' }), actions),
      facts([['Current step', view.currentStep], ['Created', timeCell(view.createdAt)],
        ['Created by', view.createdBy], ['Start at', view.startAt ? timeCell(view.startAt) : null],
        ['Started', timeCell(view.startedAt)], ['Ended', timeCell(view.completedAt)],
        ['Duration', durationCell(view.startedAt, view.completedAt
          || (TERMINAL.has(view.status) ? view.startedAt : null))],
        ['Error', view.error],
        ['Retry of', view.retryOf ? h('a', { href: '#/executions/' + view.retryOf, class: 'mono' },
          view.retryOf) : null],
        ['Reflects event', String(view.sequenceNr)]])), cancel));
    const c = view.cancellation;
    cancel.replaceChildren(h('h2', { class: 'flush' }, 'Cancellation'), c
      ? h('div', {}, facts([['Mode', c.mode], ['Reason', c.reason],
        ['Requested by', c.requestedBy], ['Requested at', time(c.requestedAt)],
        ['Grace deadline', c.graceDeadline ? time(c.graceDeadline) : null],
        ['Escalated by', c.escalatedBy], ['Escalation reason', c.escalationReason],
        ['Escalated at', c.escalatedAt ? time(c.escalatedAt) : null]]))
      : h('p', { class: 'hint' }, 'Nobody asked this execution to stop.'));
    steps.replaceChildren(h('h2', { id: 'steps-title' }, 'Steps'),
      h('ol', { class: 'timeline', id: 'steps' }, view.steps.map((s, index) => h('li',
        { class: 'st-' + s.status, 'data-step': s.name, 'data-index': index },
        h('div', { class: 'step-head' }, h('strong', {}, s.name),
          h('span', { class: 'hint' }, s.type + (s.cleanup ? ' · cleanup' : '')),
          badge(s.status), h('span', {}, 'attempt ' + (s.attempt || 0)),
          s.exitCode !== null && s.exitCode !== undefined
            ? h('span', {}, 'exit code ' + s.exitCode) : null),
        h('div', { class: 'hint' }, 'started ', timeCell(s.startedAt), ' · ended ',
          timeCell(s.completedAt), ' · took ', durationCell(s.startedAt,
            s.completedAt || (s.status === 'Running' ? null : s.startedAt))),
        s.error ? h('div', {}, 'Error: ' + s.error) : null,
        stepOutput(s, index, isPast)))));
  }

  /**
   * A shell step's output: live while it runs, whole once it ended (from the node's files);
   * other steps, and a past state on the slider, show the tail their event carried.
   */
  function stepOutput(s, index, isPast) {
    if (isPast || s.type !== 'shell' || !s.attempt) {
      return s.output ? h('pre', { class: 'output', tabindex: 0,
        'aria-label': 'Output of ' + s.name }, s.output) : null;
    }
    const key = index + '-' + s.attempt;
    let output = outputs.get(key);
    if (!output) {
      output = attemptOutput(id, index, s.attempt, s.name);
      outputs.set(key, output);
    }
    if (s.status === 'Running') output.follow();
    else output.whole(s.output);
    return output.box;
  }

  function renderHistory() {
    const events = state.history;
    const n = events.length;
    const current = state.asOf || n;
    const slider = h('input', {
      type: 'range', id: 'history-slider', min: n ? 1 : 0, max: n, step: 1, value: current,
      'aria-label': 'Event to view the state after', 'aria-valuetext': n
        ? 'event ' + current + ' of ' + n + ': ' + events[current - 1].type : 'no events',
    });
    slider.addEventListener('change', () => showAsOf(Number(slider.value)));
    history.replaceChildren(
      h('h2', { id: 'history-title' }, 'History (' + n + ' events)'),
      h('p', { class: 'hint' }, 'Move the slider (arrow keys work) or pick an event to see the '
        + 'execution as it was right after it.'),
      slider,
      h('ol', { class: 'events', id: 'events' }, events.map((e) => h('li', {},
        h('button', { type: 'button', 'data-seq': e.seq, 'data-type': e.type,
          'aria-current': e.seq === current ? 'true' : null,
          onclick: () => showAsOf(e.seq) },
        h('span', { class: 'mono' }, '#' + e.seq), h('strong', {}, e.type),
        h('span', { class: 'hint' }, time(e.at)),
        eventDetails(e, state.view ? state.view.steps : []))))));
  }

  async function showAsOf(seq) {
    const n = state.history.length;
    if (!seq || seq >= n) {
      state.asOf = null;
      asOfBar.replaceChildren();
      renderHistory();
      if (state.view) renderView(state.view, false);
      return;
    }
    try {
      const past = await api('GET', '/api/executions/' + encodeURIComponent(id) + '?asOf=' + seq);
      state.asOf = seq;
      const event = state.history[seq - 1];
      asOfBar.replaceChildren(h('div', { class: 'asof', role: 'status' },
        h('strong', {}, 'As of event ' + seq + ' of ' + n + ': ' + event.type + ' at '
          + time(event.at)),
        h('button', { type: 'button', id: 'back-to-now', onclick: () => showAsOf(null) },
          'Back to now')));
      renderView(past, true);
      renderHistory();
      const focusAgain = history.querySelector('#history-slider');
      if (document.activeElement === document.body && focusAgain) focusAgain.focus();
    } catch (error) {
      failed('Could not replay')(error);
    }
  }

  async function refresh() {
    try {
      const [view, hist] = await Promise.all([
        api('GET', '/api/executions/' + encodeURIComponent(id)),
        api('GET', '/api/executions/' + encodeURIComponent(id) + '/history')]);
      state.view = view;
      state.history = hist.events;
      const focusedSeq = document.activeElement && document.activeElement.dataset
        ? document.activeElement.dataset.seq : null;
      const sliderFocused = document.activeElement && document.activeElement.id === 'history-slider';
      if (!state.asOf) renderView(view, false);
      renderHistory();
      if (sliderFocused) $('history-slider').focus();
      else if (focusedSeq) {
        const again = history.querySelector('[data-seq="' + focusedSeq + '"]');
        if (again) again.focus();
      }
    } catch (error) {
      failed('Could not read execution ' + shortId(id))(error);
    }
  }

  let timer = null;
  onEvents((e) => {
    if (e.executionId !== id) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  onLiveChange((now) => {
    staleNote.hidden = now === 'live';
    summary.dataset.stale = now === 'live' ? 'false' : 'true';
    // what changed while the page could not hear
    if (now === 'live') refresh();
    else if (state.view && !state.asOf) renderView(state.view, false);
  });
  const previous = teardown;
  document.title = shortId(id) + ' · Stepwise';
  setView('executions', h('p', {}, h('a', { href: '#/executions' }, '← Executions')), heading,
    staleNote, asOfBar, summary, h('div', { class: 'cols' }, steps, history));
  teardown = () => {
    previous();
    clearTimeout(timer);
    for (const output of outputs.values()) output.close();
  };
  refresh();
}

// ---- jobs

async function jobsView() {
  document.title = 'Jobs · Stepwise';
  const tbody = h('tbody');
  setView('jobs', h('h1', {}, 'Jobs'),
    may('operator') ? null : h('p', { class: 'hint' }, 'Starting a run: ' + roleHint()),
    h('div', { class: 'table-wrap' }, h('table', { id: 'jobs' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Job'),
        h('th', { scope: 'col', class: 'opt' }, 'Description'), h('th', { scope: 'col' }, 'Steps'),
        h('th', { scope: 'col', class: 'opt' }, 'Updated'), h('th', { scope: 'col' }, 'Actions'))),
      tbody)));
  try {
    const list = await api('GET', '/api/jobs');
    tbody.replaceChildren(...list.items.map((job) => h('tr', { 'data-job': job.name },
      h('td', {}, h('a', { href: '#/jobs/' + encodeURIComponent(job.name) }, job.name)),
      h('td', { class: 'opt' }, job.definition.description || '—'),
      h('td', {}, String(job.definition.steps.length)),
      h('td', { class: 'opt' }, time(job.updatedAt || job.createdAt) + ' by '
        + (job.updatedBy || job.createdBy)),
      h('td', {}, startButton(job.name), ' ',
        h('a', { href: '#/executions?job=' + encodeURIComponent(job.name) }, 'Executions')))));
    if (!list.items.length) {
      tbody.append(h('tr', {}, h('td', { class: 'empty', colspan: 5 }, 'No jobs defined yet.')));
    }
  } catch (error) {
    failed('Could not list jobs')(error);
  }
}

/** A JSON value without its null fields: what a person reads, not what a parser fills in. */
function withoutNulls(value) {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

/** A step of a definition as labelled facts; only the fields it sets. */
function stepFacts(s) {
  const pairs = [
    ['Command', s.command ? s.command.join(' ') : null],
    ['Working directory', s.workDir],
    ['Environment', s.env && Object.keys(s.env).length ? Object.keys(s.env).join(', ') : null],
    ['Request', s.url ? (s.method || 'GET') + ' ' + s.url : null],
    ['Sleeps', s.seconds !== null && s.seconds !== undefined ? s.seconds + ' s' : null],
    ['Timeout', s.timeoutSeconds ? s.timeoutSeconds + ' s' : null],
    ['Retry', s.retry ? s.retry.maxAttempts + ' attempts' + (s.retry.backoffSeconds
      ? ', ' + s.retry.backoffSeconds + ' s apart' : '') : null],
    ['Parameters', s.params && Object.keys(s.params).length ? JSON.stringify(s.params) : null],
  ].filter(([, v]) => v !== null && v !== undefined && v !== '');
  return h('dl', { class: 'facts' }, pairs.map(([k, v]) => [h('dt', {}, k),
    h('dd', { class: k === 'Command' || k === 'Request' ? 'mono' : null }, v)]));
}

function startButton(name) {
  return h('button', {
    type: 'button', class: 'start primary', disabled: !may('operator'),
    title: may('operator') ? 'Start a run of ' + name + ' now' : roleHint(),
    onclick: async () => {
      try {
        const view = await api('POST', '/api/jobs/' + encodeURIComponent(name) + '/executions', {});
        notify('Started execution ' + shortId(view.id) + ' of ' + name + ' (' + view.status + ').',
          false, { href: '#/executions/' + view.id, text: 'Open it' });
      } catch (error) {
        failed('Could not start ' + name)(error);
      }
    },
  }, 'Start run');
}

async function jobView(name) {
  document.title = name + ' · Jobs · Stepwise';
  const body = h('div', {});
  setView('jobs', h('p', {}, h('a', { href: '#/jobs' }, '← Jobs')),
    h('h1', {}, 'Job ', h('span', { class: 'mono' }, name)), body);
  try {
    const job = await api('GET', '/api/jobs/' + encodeURIComponent(name));
    const d = job.definition;
    body.replaceChildren(h('div', {},
      h('div', { class: 'panel' }, h('div', { class: 'toolbar' }, startButton(name),
        h('a', { href: '#/executions?job=' + encodeURIComponent(name) }, 'Its executions')),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Description'), h('dd', {}, d.description || '—'),
        h('dt', {}, 'Version'), h('dd', {}, String(job.version)),
        h('dt', {}, 'Defined'), h('dd', {}, time(job.createdAt) + ' by ' + job.createdBy),
        h('dt', {}, 'Updated'), h('dd', {}, job.updatedAt
          ? time(job.updatedAt) + ' by ' + job.updatedBy : '—'),
        h('dt', {}, 'Execution deadline'), h('dd', {}, d.timeoutSeconds ? d.timeoutSeconds + ' s' : 'none'),
        h('dt', {}, 'Stop grace'), h('dd', {}, (d.stopGraceSeconds ?? 300) + ' s'))),
      h('h2', {}, 'Steps'),
      h('ol', { class: 'timeline', id: 'job-steps' }, d.steps.map((s) => h('li', {},
        h('div', { class: 'step-head' }, h('strong', {}, s.name), h('span', { class: 'hint' }, s.type)),
        stepFacts(s)))),
      (d.onCancel || []).length ? [h('h2', {}, 'Cleanup steps (onCancel)'),
        h('ol', { class: 'timeline' }, d.onCancel.map((s) => h('li', {},
          h('div', { class: 'step-head' }, h('strong', {}, s.name), h('span', { class: 'hint' }, s.type)),
          stepFacts(s))))] : null,
      h('details', { class: 'definition', open: true }, h('summary', {}, 'Definition as JSON'),
        h('pre', { class: 'output', id: 'definition', tabindex: 0 },
          JSON.stringify(withoutNulls(d), null, 2)))));
  } catch (error) {
    failed('Could not read job ' + name)(error);
  }
}

// ------------------------------------------------------------------ sign-in and routing

function signInView(message) {
  const input = h('textarea', { id: 'token', required: true, spellcheck: 'false',
    autocomplete: 'off', 'aria-describedby': 'token-help' });
  const error = h('p', { class: 'hint', id: 'signin-error', role: 'alert' }, message || '');
  const form = h('form', { class: 'panel signin', id: 'signin' },
    h('h1', {}, 'Sign in'),
    h('label', { for: 'token' }, 'Access token (JWT)'), input,
    h('p', { class: 'hint', id: 'token-help' }, 'Paste the bearer token you were given; a new '
      + 'node prints an admin token once at start. It is kept for this browser tab only.'),
    error, h('button', { type: 'submit', class: 'primary', id: 'signin-button' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    try {
      const user = decodeToken(token);
      if (user.exp && user.exp * 1000 < Date.now()) throw new Error('this token has expired');
      session.token = token;
      session.user = user;
      await api('GET', '/api/jobs');   // proves the server accepts it
      sessionStorage.setItem('stepwise.token', token);
      signedIn();
      if (!location.hash || location.hash === '#/signin') location.hash = '#/executions';
      else route();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) error.textContent = e.message;
    }
  });
  leaveView();
  $('main').replaceChildren(form);
  input.focus();
}

function signedIn() {
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  const who = $('who');
  who.hidden = false;
  who.textContent = session.user.sub + ' · ' + (session.user.role || 'no role');
  startStream();
}

function signOut(message) {
  stopStream();
  session.token = null;
  session.user = null;
  sessionStorage.removeItem('stepwise.token');
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('who').hidden = true;
  $('live').hidden = true;
  clearNotice();
  signInView(message);
}

function route() {
  if (!session.token) { signInView(); return; }
  const hash = location.hash.replace(/^#/, '') || '/executions';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  clearNotice();
  leaveView();
  if (parts[0] === 'executions' && parts[1]) detailView(parts[1]);
  else if (parts[0] === 'dead-letters') listView(params, true);
  else if (parts[0] === 'jobs' && parts[1]) jobView(parts[1]);
  else if (parts[0] === 'jobs') jobsView();
  else listView(params, false);
  $('main').focus({ preventScroll: true });
}

document.addEventListener('DOMContentLoaded', () => {
  // an older page kept the stream's position across sign-ins; this one follows from now
  sessionStorage.removeItem('stepwise.lastEventId');
  setInterval(tickTimes, 1000);
  $('sign-out').addEventListener('click', () => signOut('Signed out.'));
  window.addEventListener('hashchange', route);
  if (session.token) {
    try {
      session.user = decodeToken(session.token);
      signedIn();
    } catch (e) {
      session.token = null;
    }
  }
  route();
});
