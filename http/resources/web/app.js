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

function timeCell(iso) {
  return h('time', { datetime: iso || null, title: iso || null }, time(iso));
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
  lastEventId: sessionStorage.getItem('stepwise.lastEventId'),
  listeners: new Set(),
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
}

async function readStream(signal) {
  let delay = 500;
  while (!signal.aborted) {
    try {
      const headers = { Authorization: 'Bearer ' + session.token, Accept: 'text/event-stream' };
      if (stream.lastEventId) headers['Last-Event-ID'] = stream.lastEventId;
      $('live').dataset.resumedFrom = stream.lastEventId || '';
      const response = await fetch('/api/events', { headers, signal, cache: 'no-store' });
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
    sessionStorage.setItem('stepwise.lastEventId', event.id);
  }
  let data;
  try { data = JSON.parse(event.data.join('\n')); } catch (e) { return; }
  stream.recent.push(data);
  if (stream.recent.length > RECENT_EVENTS) stream.recent.shift();
  for (const listener of stream.listeners) listener(data);
}

/** An ISO-8601 UTC time with nine fraction digits, so that times compare as strings. */
function norm(iso) {
  const m = /^([^.Z]*)(?:\.(\d+))?Z$/.exec(iso || '');
  return m ? m[1] + '.' + (m[2] || '').padEnd(9, '0') + 'Z' : (iso || '');
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

function confirmDialog({ title, message, action }) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-message').textContent = message;
  $('confirm-ok').textContent = action;
  const reason = $('confirm-reason');
  reason.value = '';
  return new Promise((resolve) => {
    const form = $('confirm-form');
    const done = (answer) => {
      form.removeEventListener('submit', onSubmit);
      $('confirm-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onEscape);
      dialog.close();
      resolve(answer);
    };
    const onSubmit = (ev) => { ev.preventDefault(); done({ reason: reason.value.trim() }); };
    const onCancel = () => done(null);
    const onEscape = (ev) => { ev.preventDefault(); done(null); };
    form.addEventListener('submit', onSubmit);
    $('confirm-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onEscape);
    dialog.showModal();
    reason.focus();
  });
}

function stopMessage(row, force, count) {
  const what = count ? count + ' selected execution' + (count > 1 ? 's' : '')
    : 'execution ' + shortId(row.id) + ' of job ' + row.job;
  const step = !count && row.currentStep ? 'the running step "' + row.currentStep + '"'
    : 'the running step';
  if (force) {
    return 'Stop ' + what + ' immediately: ' + step + ' is killed now (a shell step\'s whole '
      + 'process tree, an HTTP step\'s request, a sleep\'s timer). No further step starts, no '
      + 'retry, and no cleanup steps run. The execution ends Cancelled.';
  }
  return 'Stop ' + what + ' gracefully: ' + step + ' finishes on its own; nothing after it '
    + 'starts and it is not retried. The job\'s cleanup steps (onCancel), if any, then run. '
    + 'The execution shows Cancelling until then, and Cancelled after. An execution still '
    + 'waiting to start is cancelled at once.';
}

async function stopOne(row, force, after) {
  const answer = await confirmDialog({
    title: force ? 'Stop immediately?' : 'Stop gracefully?',
    message: stopMessage(row, force),
    action: force ? 'Stop immediately' : 'Stop gracefully',
  });
  if (!answer) return;
  try {
    const view = await api('POST', '/api/executions/' + encodeURIComponent(row.id) + '/stop'
      + (force ? '?force=true' : ''), answer.reason ? { reason: answer.reason } : {});
    notify('Stop accepted: execution ' + shortId(row.id) + ' is ' + view.status + '.', false,
      { href: '#/executions/' + row.id, text: 'Open it' });
    if (after) after(view);
  } catch (error) {
    failed('Stop refused')(error);
  }
}

const OPERATOR_HINT = 'Needs the operator role; you are signed in as ';

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

// ---- executions list (and dead letters, which is the same list with other columns)

function listView(params, deadLetters) {
  const state = {
    status: deadLetters ? 'DeadLetter' : params.get('status') || '',
    job: deadLetters ? '' : params.get('job') || '',
    cursors: [null],          // cursors[i] is where page i starts
    rows: new Map(),          // id -> {data, tr}
    selected: new Set(),
    replayReloads: 0,
  };
  const tbody = h('tbody');
  const pageInfo = h('span', { class: 'hint' });
  const newer = h('button', { type: 'button', id: 'newer', disabled: true,
    onclick: () => { state.cursors.pop(); load(); } }, '← Newer');
  const older = h('button', { type: 'button', id: 'older', disabled: true,
    onclick: () => { state.cursors.push(state.next); load(); } }, 'Older →');
  const bulkCount = h('span', { class: 'hint', id: 'selected-count' }, 'none selected');
  const bulkButton = (force) => h('button', {
    type: 'button', id: force ? 'bulk-force' : 'bulk-graceful', disabled: true,
    title: may('operator') ? null : roleHint(), onclick: () => bulkStop(force),
  }, force ? 'Stop selected immediately' : 'Stop selected gracefully');
  const bulkGraceful = bulkButton(false);
  const bulkForce = bulkButton(true);

  const statusSelect = h('select', { id: 'filter-status' },
    h('option', { value: '' }, 'All statuses'),
    STATUSES.map((s) => h('option', { value: s, selected: s === state.status }, s)));
  const jobSelect = h('select', { id: 'filter-job' }, h('option', { value: '' }, 'All jobs'));
  if (state.job) jobSelect.append(h('option', { value: state.job, selected: true }, state.job));
  const refilter = () => {
    const q = new URLSearchParams();
    if (statusSelect.value) q.set('status', statusSelect.value);
    if (jobSelect.value) q.set('job', jobSelect.value);
    location.hash = '#/executions' + (q.toString() ? '?' + q : '');
  };
  statusSelect.addEventListener('change', refilter);
  jobSelect.addEventListener('change', refilter);
  api('GET', '/api/jobs').then((list) => {
    for (const job of list.items) {
      if (job.name !== state.job) jobSelect.append(h('option', { value: job.name }, job.name));
    }
  }).catch(failed('Could not list jobs'));

  const headRow = h('tr', {},
    deadLetters ? null : h('th', { scope: 'col' }, h('span', { class: 'hint' }, 'Select')),
    h('th', { scope: 'col' }, 'Execution'), h('th', { scope: 'col' }, 'Job'),
    h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col', class: 'opt' }, 'Step'),
    h('th', { scope: 'col', class: 'opt' }, 'Created'), h('th', { scope: 'col', class: 'opt' }, 'By'),
    h('th', { scope: 'col', class: 'opt' }, deadLetters ? 'Error' : 'Ended'),
    h('th', { scope: 'col' }, 'Actions'));

  function updateBulk() {
    for (const id of [...state.selected]) {
      const row = state.rows.get(id);
      if (!row || TERMINAL.has(row.data.status)) state.selected.delete(id);
    }
    const n = state.selected.size;
    bulkCount.textContent = n ? n + ' selected' : 'none selected';
    bulkGraceful.disabled = bulkForce.disabled = n === 0 || !may('operator');
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
      tds.push(h('td', {}, box));
    }
    tds.push(
      h('td', { class: 'mono' }, h('a', { href: '#/executions/' + data.id, title: data.id },
        shortId(data.id))),
      h('td', {}, data.job),
      h('td', { class: 'status' }, badge(data.status)),
      h('td', { class: 'opt' }, data.currentStep || '—'),
      h('td', { class: 'opt' }, timeCell(data.createdAt)),
      h('td', { class: 'opt' }, data.createdBy || '—'),
      h('td', { class: 'opt' }, deadLetters ? (data.error || '—') : timeCell(data.completedAt)));
    const actions = h('td', { class: 'actions' });
    if (deadLetters) {
      actions.append(h('button', {
        type: 'button', class: 'retry', disabled: !may('operator'),
        title: may('operator') ? 'Start a new execution of the same definition' : roleHint(),
        onclick: () => retry(data.id, (view) => {
          data.retriedBy = view.id;
          render(state.rows.get(data.id));
        }),
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
    row.tr.replaceChildren(...cells(row.data));
    row.tr.dataset.status = row.data.status;
  }

  function addRow(data, atTop) {
    const row = { data, tr: h('tr', { 'data-id': data.id }) };
    state.rows.set(data.id, row);
    render(row);
    const empty = tbody.querySelector('td.empty');
    if (empty) empty.parentElement.remove();
    if (atTop) tbody.prepend(row.tr); else tbody.append(row.tr);
  }

  function applyView(view) {
    const row = state.rows.get(view.id);
    if (!row || TERMINAL.has(row.data.status)) return;
    Object.assign(row.data, { status: view.status, currentStep: view.currentStep,
      completedAt: view.completedAt, cancellation: view.cancellation });
    render(row);
    updateBulk();
  }

  async function load() {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (!deadLetters && state.status) q.set('status', state.status);
    if (state.job) q.set('job', state.job);
    const cursor = state.cursors[state.cursors.length - 1];
    if (cursor) q.set('cursor', cursor);
    try {
      const page = await api('GET', (deadLetters ? '/api/dead-letters?' : '/api/executions?') + q);
      state.rows.clear();
      tbody.replaceChildren();
      for (const item of page.items) addRow(item, false);
      if (!page.items.length) {
        tbody.append(h('tr', {}, h('td', { class: 'empty', colspan: 9 },
          deadLetters ? 'No dead letters.' : 'No executions match.')));
      }
      state.next = page.nextCursor;
      older.disabled = !page.nextCursor;
      newer.disabled = state.cursors.length <= 1;
      pageInfo.textContent = 'Page ' + state.cursors.length + ' · newest first';
      // events that arrived before this page was read: the read side may trail them
      if (state.cursors.length === 1) for (const e of stream.recent) onEvent(e, true);
      updateBulk();
    } catch (error) {
      failed('Could not list executions')(error);
    }
  }

  let reloadTimer = null;
  function reloadSoon() {
    // the read side trails the journal by well under a second
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(load, 800);
  }

  function newerThanEveryRow(at) {
    for (const row of state.rows.values()) if (norm(row.data.createdAt) >= norm(at)) return false;
    return true;
  }

  function onEvent(e, replayed) {
    const row = state.rows.get(e.executionId);
    if (row) {
      if (applyEvent(row.data, e)) { render(row); updateBulk(); }
      return;
    }
    if (state.cursors.length > 1 || (state.job && e.job !== state.job)) return;
    if (e.type === 'ExecutionCreated' && !deadLetters && (!state.status || state.status === 'Pending')) {
      if (replayed && !newerThanEveryRow(e.at)) return;
      addRow({ id: e.executionId, job: e.job, status: 'Pending', currentStep: null,
        stepCount: e.definition && e.definition.steps ? e.definition.steps.length : null,
        createdBy: e.createdBy, createdAt: e.at, startAt: e.startAt, startedAt: null,
        completedAt: null, cancellation: null, error: null, retryOf: e.retryOf,
        retriedBy: null }, true);
      return;
    }
    const status = TERMINAL_EVENTS[e.type] || (e.type === 'ExecutionStarted' ? 'Running'
      : e.type === 'StopRequested' ? 'Cancelling' : null);
    if (status && state.status === status) {
      // a replayed event may name an execution the read side had not caught up with yet;
      // a few reloads at most, as it may simply be on a later page
      if (!replayed) reloadSoon();
      else if (state.replayReloads++ < 3) reloadSoon();
    }
  }
  onEvents((e) => onEvent(e, false));

  async function bulkStop(force) {
    const ids = [...state.selected];
    if (!ids.length) return;
    const answer = await confirmDialog({
      title: force ? 'Stop ' + ids.length + ' immediately?' : 'Stop ' + ids.length + ' gracefully?',
      message: stopMessage(null, force, ids.length),
      action: force ? 'Stop immediately' : 'Stop gracefully',
    });
    if (!answer) return;
    try {
      const result = await api('POST', '/api/executions/stop',
        { ids, force, reason: answer.reason || null });
      const counts = {};
      for (const r of result.results) counts[r.outcome] = (counts[r.outcome] || 0) + 1;
      notify('Bulk stop: ' + Object.entries(counts).map(([k, v]) => v + ' ' + k).join(', ') + '.');
      for (const r of result.results) {
        const row = state.rows.get(r.id);
        if (row && r.status && !TERMINAL.has(row.data.status)) {
          row.data.status = r.status;
          render(row);
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
      h('span', { class: 'spacer' }),
      bulkCount, bulkGraceful, bulkForce,
      may('operator') ? null : h('span', { class: 'hint', id: 'role-hint' }, roleHint()));

  setView(deadLetters ? 'dead-letters' : 'executions',
    h('h1', {}, deadLetters ? 'Dead letters' : 'Executions'), toolbar,
    h('div', { class: 'table-wrap' }, h('table', { id: 'executions' },
      h('caption', { class: 'skip' }, deadLetters ? 'Dead letters' : 'Executions, newest first'),
      h('thead', {}, headRow), tbody)),
    h('div', { class: 'pager' }, newer, older, pageInfo));
  const previous = teardown;
  teardown = () => { previous(); clearTimeout(reloadTimer); };
  load();
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

function detailView(id) {
  const state = { view: null, history: [], asOf: null };
  const heading = h('h1', {}, 'Execution ', h('span', { class: 'mono' }, id));
  const summary = h('div', { id: 'summary' });
  const asOfBar = h('div', { id: 'asof' });
  const steps = h('section', { 'aria-labelledby': 'steps-title' });
  const cancel = h('section', { id: 'cancellation' });
  const history = h('section', { class: 'history panel', 'aria-labelledby': 'history-title' });

  function facts(pairs) {
    return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined).map(([k, v]) =>
      [h('dt', {}, k), h('dd', {}, v === null || v === '' ? '—' : v)]));
  }

  function renderView(view, isPast) {
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
      facts([['Current step', view.currentStep], ['Created', time(view.createdAt)],
        ['Created by', view.createdBy], ['Start at', view.startAt ? time(view.startAt) : null],
        ['Started', time(view.startedAt)], ['Ended', time(view.completedAt)],
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
      h('ol', { class: 'timeline', id: 'steps' }, view.steps.map((s) => h('li',
        { class: 'st-' + s.status, 'data-step': s.name },
        h('div', { class: 'step-head' }, h('strong', {}, s.name),
          h('span', { class: 'hint' }, s.type + (s.cleanup ? ' · cleanup' : '')),
          badge(s.status), h('span', {}, 'attempt ' + (s.attempt || 0)),
          s.exitCode !== null && s.exitCode !== undefined
            ? h('span', {}, 'exit code ' + s.exitCode) : null),
        h('div', { class: 'hint' }, 'started ' + time(s.startedAt) + ' · ended '
          + time(s.completedAt)),
        s.error ? h('div', {}, 'Error: ' + s.error) : null,
        s.output ? h('pre', { class: 'output', tabindex: 0, 'aria-label': 'Output of ' + s.name },
          s.output) : null))));
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
        h('button', { type: 'button', 'data-seq': e.seq,
          'aria-current': e.seq === current ? 'true' : null,
          onclick: () => showAsOf(e.seq) },
        h('span', { class: 'mono' }, '#' + e.seq), h('strong', {}, e.type),
        h('span', { class: 'hint' }, time(e.at)),
        e.requestedBy ? h('span', {}, 'by ' + e.requestedBy) : null,
        e.mode ? h('span', {}, e.mode) : null,
        e.reason ? h('span', {}, '“' + e.reason + '”') : null)))));
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
  const previous = teardown;
  setView('executions', h('p', {}, h('a', { href: '#/executions' }, '← Executions')), heading,
    asOfBar, summary, h('div', { class: 'cols' }, steps, history));
  teardown = () => { previous(); clearTimeout(timer); };
  refresh();
}

// ---- jobs

async function jobsView() {
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
  const body = h('div', {});
  setView('jobs', h('p', {}, h('a', { href: '#/jobs' }, '← Jobs')),
    h('h1', {}, 'Job ', h('span', { class: 'mono' }, name)), body);
  try {
    const job = await api('GET', '/api/jobs/' + encodeURIComponent(name));
    const d = job.definition;
    body.replaceChildren(
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
      h('ol', { class: 'timeline' }, d.steps.map((s) => h('li', {},
        h('div', { class: 'step-head' }, h('strong', {}, s.name), h('span', { class: 'hint' }, s.type)),
        h('pre', { class: 'output' }, JSON.stringify(s, null, 2))))),
      h('h2', {}, 'Definition (JSON)'),
      h('pre', { class: 'output', id: 'definition', tabindex: 0 }, JSON.stringify(d, null, 2)));
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
