// The queue: views, filters, search, sort, keyset paging, j/k/Enter and /, polling refresh.
// One round of requests renders it (the queue page and the staff list, in parallel); a refresh
// asks for the same page again.

import { age, badge, errorBox, h, label, replace } from './dom.js';
import {
  PRIORITY_LABELS, STATUS_LABELS, TYPE_LABELS, WAITING_LABELS, loadLabels,
} from './labels.js';

const REFRESH_MS = 30000;
const VIEWS = {
  unassigned: { label: 'Unassigned', filters: { status: 'open', assignee: 'unassigned', sort: 'created' } },
  mine: { label: 'Mine', filters: { assignee: 'me', sort: 'updated' } },
  open: { label: 'All open', filters: { status: 'open', sort: 'priority' } },
  // A target missed and the clock still running (open or in progress, not waiting on the user):
  // the most overdue first.
  breaching: { label: 'Breaching SLA', filters: { breached: 'true', sort: 'due' } },
};
const SORTS = {
  created: 'Newest first', updated: 'Recently updated', priority: 'Priority, then oldest',
  due: 'Next deadline',
};
const SLA_LABELS = { true: 'Breached', false: 'Within target' };
const EMPTY_FILTERS = { status: '', priority: '', ticket_type: '', assignee: '', breached: '', sort: 'created', q: '' };

// Kept across visits to a ticket, so "Queue" comes back to the same view and page.
const state = {
  view: 'unassigned',
  filters: { ...EMPTY_FILTERS, ...VIEWS.unassigned.filters },
  cursors: [null],
  selectedId: null,
  staff: [],
};
let timer = null;
let mounted = null;

export function stopQueue() {
  clearInterval(timer);
  timer = null;
  mounted = null;
}

function viewMatching(filters) {
  return Object.keys(VIEWS).find((name) => {
    const wanted = { ...EMPTY_FILTERS, ...VIEWS[name].filters, q: filters.q };
    return Object.keys(wanted).every((key) => (filters[key] || '') === (wanted[key] || ''));
  }) ?? null;
}

function select(id, text, options, value, onChange) {
  return [
    h('label', { for: id }, text),
    h('select', { id, onchange: (event) => onChange(event.target.value) },
      options.map(([optionValue, optionText]) => h('option', { value: optionValue, selected: optionValue === value }, optionText))),
  ];
}

function row(ticket) {
  const selected = ticket.ticket_id === state.selectedId;
  return h('tr', { 'data-id': ticket.ticket_id, class: selected ? 'selected' : null },
    h('td', { class: 'subject', 'data-label': 'Subject' },
      h('a', { href: `#/ticket/${ticket.ticket_id}`, onfocus: () => markSelected(ticket.ticket_id) }, ticket.subject),
      ticket.follow_up_of ? h('span', { class: 'muted' }, ' (follow-up)') : null),
    h('td', { 'data-label': 'Requester' }, ticket.requester_email ?? ticket.user_id),
    h('td', { 'data-label': 'Type' }, label(TYPE_LABELS, ticket.ticket_type)),
    h('td', { 'data-label': 'Priority' }, badge('priority', ticket.priority, PRIORITY_LABELS)),
    h('td', { 'data-label': 'Status' }, badge('status', ticket.status, STATUS_LABELS)),
    h('td', { 'data-label': 'Age' },
      h('time', { datetime: ticket.created_at, title: ticket.created_at }, age(ticket.created_at))),
    h('td', { 'data-label': 'Waiting on' }, label(WAITING_LABELS, ticket.waiting_on)),
    h('td', { 'data-label': 'Due' }, dueCell(ticket)),
    h('td', { 'data-label': 'Assignee' }, ticket.assigned_to ?? 'Unassigned'));
}

// The running deadline (first response, then resolution) and whether a target was missed.
function dueCell(ticket) {
  return h('span', {},
    ticket.next_due_at ? h('time', { datetime: ticket.next_due_at, title: ticket.next_due_at }, dueIn(ticket.next_due_at)) : '—',
    ticket.breached ? [' ', h('span', { class: 'badge breached' }, 'Breached')] : null);
}

function dueIn(iso) {
  const due = Date.parse(iso);
  return due < Date.now() ? `${age(iso)} overdue` : `in ${age(new Date().toISOString(), due)}`;
}

function markSelected(ticketId) {
  state.selectedId = ticketId;
  if (!mounted) return;
  for (const tr of mounted.results.querySelectorAll('tr[data-id]')) {
    tr.classList.toggle('selected', tr.dataset.id === ticketId);
  }
}

function renderResults(answer) {
  const { results, context } = mounted;
  const tickets = answer.tickets;
  const focusedId = document.activeElement?.closest?.('tr[data-id]')?.dataset.id;
  const page = state.cursors.length;
  // total stops counting at the database's cap, and total_capped says so.
  const count = `${answer.total_capped ? 'More than ' : ''}${answer.total.toLocaleString()} ${answer.total === 1 ? 'ticket' : 'tickets'}`;
  const table = tickets.length === 0
    ? h('p', { class: 'empty' }, 'No tickets match.')
    : h('table', { class: 'queue' },
      h('caption', { class: 'visually-hidden' }, 'Tickets'),
      h('thead', {}, h('tr', {}, ['Subject', 'Requester', 'Type', 'Priority', 'Status', 'Age', 'Waiting on', 'Due', 'Assignee']
        .map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, tickets.map(row)));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h('button', {
      type: 'button', class: 'secondary', disabled: page === 1,
      onclick: () => { state.cursors.pop(); load(context); },
    }, 'Previous page'),
    h('span', {}, `Page ${page}`),
    h('button', {
      type: 'button', class: 'secondary', disabled: !answer.next_cursor,
      onclick: () => { state.cursors.push(answer.next_cursor); load(context); },
    }, 'Next page'));
  replace(results,
    h('p', { class: 'summary' }, `${count} · refreshed ${new Date().toLocaleTimeString()}`),
    table, pager);
  if (focusedId) results.querySelector(`tr[data-id="${focusedId}"] a`)?.focus();
}

async function load(context, { refresh = false } = {}) {
  if (!mounted) return;
  const params = { ...state.filters, cursor: state.cursors[state.cursors.length - 1] };
  try {
    const [answer, staff] = await Promise.all([
      context.api.queue(params),
      refresh ? state.staff : context.api.staff(),
      loadLabels(context.api),
    ]);
    if (!mounted) return;
    state.staff = staff;
    fillAssignees();
    fillVocabularies();
    renderResults(answer);
  } catch (error) {
    if (mounted) replace(mounted.results, errorBox(error));
  }
}

// The status, priority and type filters list the vocabularies' rows, which the first load brings.
function fillVocabularies() {
  for (const [id, labels, value] of [
    ['filter-status', STATUS_LABELS, state.filters.status],
    ['filter-priority', PRIORITY_LABELS, state.filters.priority],
    ['filter-type', TYPE_LABELS, state.filters.ticket_type],
  ]) {
    replace(mounted.form.querySelector(`#${id}`), [['', 'Any'], ...Object.entries(labels)]
      .map(([code, text]) => h('option', { value: code, selected: code === (value ?? '') }, text)));
  }
}

function fillAssignees() {
  const chooser = mounted.form.querySelector('#filter-assignee');
  const options = [['', 'Anyone'], ['me', 'Me'], ['unassigned', 'Unassigned'],
    ...state.staff.map((member) => [member.user_id, member.display_name])];
  replace(chooser, options.map(([value, text]) => h('option', { value, selected: value === state.filters.assignee }, text)));
}

function applyFilters(context, changes) {
  state.filters = { ...state.filters, ...changes };
  state.view = viewMatching(state.filters);
  state.cursors = [null];
  renderControls(context);
  load(context);
}

function renderControls(context) {
  const views = h('nav', { class: 'views', 'aria-label': 'Views' },
    Object.entries(VIEWS).map(([name, view]) => h('button', {
      type: 'button',
      class: 'view',
      'aria-pressed': String(state.view === name),
      onclick: () => applyFilters(context, { ...EMPTY_FILTERS, ...view.filters, q: state.filters.q }),
    }, view.label)));
  const search = h('input', {
    id: 'filter-q', type: 'search', name: 'q', value: state.filters.q, maxlength: 200,
    placeholder: 'Words of subject or description', 'aria-keyshortcuts': '/',
  });
  const form = h('form', {
    class: 'filters',
    role: 'search',
    onsubmit: (event) => { event.preventDefault(); applyFilters(context, { q: search.value.trim() }); },
  },
  h('div', { class: 'field search' }, h('label', { for: 'filter-q' }, 'Search'), search,
    h('button', { type: 'submit' }, 'Search')),
  h('div', { class: 'field' }, select('filter-status', 'Status', [['', 'Any'], ...Object.entries(STATUS_LABELS)],
    state.filters.status, (value) => applyFilters(context, { status: value }))),
  h('div', { class: 'field' }, select('filter-priority', 'Priority', [['', 'Any'], ...Object.entries(PRIORITY_LABELS)],
    state.filters.priority, (value) => applyFilters(context, { priority: value }))),
  h('div', { class: 'field' }, select('filter-type', 'Type', [['', 'Any'], ...Object.entries(TYPE_LABELS)],
    state.filters.ticket_type, (value) => applyFilters(context, { ticket_type: value }))),
  h('div', { class: 'field' }, select('filter-assignee', 'Assignee', [],
    state.filters.assignee, (value) => applyFilters(context, { assignee: value }))),
  h('div', { class: 'field' }, select('filter-breached', 'SLA', [['', 'Any'], ...Object.entries(SLA_LABELS)],
    state.filters.breached, (value) => applyFilters(context, { breached: value }))),
  h('div', { class: 'field' }, select('filter-sort', 'Sort', Object.entries(SORTS),
    state.filters.sort, (value) => applyFilters(context, { sort: value }))));
  replace(mounted.controls, views, form);
  mounted.form = form;
  fillAssignees();
}

function moveSelection(step) {
  const links = [...mounted.results.querySelectorAll('tr[data-id] a')];
  if (links.length === 0) return;
  const current = links.findIndex((link) => link.closest('tr').dataset.id === state.selectedId);
  const next = current === -1 ? 0 : Math.min(links.length - 1, Math.max(0, current + step));
  links[next].focus();
}

function onKey(event) {
  if (!mounted || event.altKey || event.ctrlKey || event.metaKey) return;
  const typing = event.target.closest('input, textarea, select');
  if (typing) {
    if (event.key === 'Escape') event.target.blur();
    return;
  }
  if (event.key === 'j') moveSelection(1);
  else if (event.key === 'k') moveSelection(-1);
  else if (event.key === '/') {
    event.preventDefault();
    mounted.form.querySelector('#filter-q').focus();
  } else if (event.key === 'Enter' && state.selectedId && !event.target.closest('a, button')) {
    location.hash = `#/ticket/${state.selectedId}`;
  }
}
document.addEventListener('keydown', onKey);

export function renderQueue(main, context, page) {
  stopQueue();
  const controls = h('div', { class: 'controls' });
  const results = h('div', { class: 'results', 'aria-live': 'off' });
  page('Queue',
    h('p', { class: 'muted keys' }, 'Keys: j / k move, Enter opens, / searches.'),
    controls, results);
  mounted = { controls, results, context, form: null };
  renderControls(context);
  replace(results, h('p', { class: 'loading' }, 'Loading…'));
  load(context);
  timer = setInterval(() => {
    if (document.visibilityState === 'visible') load(context, { refresh: true });
  }, REFRESH_MS);
}
