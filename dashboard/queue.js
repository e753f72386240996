// The queue: views, saved views (dashboard/views.js), bulk actions (dashboard/bulk.js) on the
// tickets ticked or on all the filters match, filters, search, sort, keyset paging,
// j/k/Enter and /, polling refresh. One round of requests renders it (the queue page, the staff
// list, the saved views and their counts, in parallel); a refresh asks for the same page and
// the counts again.

import { bulkBar, selectionSummary } from './bulk.js';
import { age, badge, errorBox, h, label, replace } from './dom.js';
import {
  PRIORITY_LABELS, STATUS_LABELS, TYPE_LABELS, WAITING_LABELS, loadLabels,
} from './labels.js';
import { exportControls, viewBuilder, viewList } from './views.js';

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

// The columns a queue shows, by code of public.view_columns (a saved view names its own).
const DEFAULT_COLUMNS = ['subject', 'requester', 'ticket_type', 'priority', 'status', 'age', 'waiting_on', 'due', 'assignee'];
const COLUMNS = {
  ticket_id: ['Ticket', (t) => t.ticket_id],
  subject: ['Subject', null],
  requester: ['Requester', (t) => t.requester_email ?? t.user_id],
  ticket_type: ['Type', (t) => label(TYPE_LABELS, t.ticket_type)],
  priority: ['Priority', (t) => badge('priority', t.priority, PRIORITY_LABELS)],
  status: ['Status', (t) => badge('status', t.status, STATUS_LABELS)],
  age: ['Age', (t) => h('time', { datetime: t.created_at, title: t.created_at }, age(t.created_at))],
  updated: ['Updated', (t) => h('time', { datetime: t.updated_at, title: t.updated_at }, age(t.updated_at))],
  waiting_on: ['Waiting on', (t) => label(WAITING_LABELS, t.waiting_on)],
  due: ['Due', (t) => dueCell(t)],
  breached: ['Breached', (t) => (t.breached ? 'Yes' : 'No')],
  assignee: ['Assignee', (t) => t.assigned_to ?? 'Unassigned'],
};

// Kept across visits to a ticket, so "Queue" comes back to the same view and page.
const state = {
  view: 'unassigned',
  savedView: null,
  filters: { ...EMPTY_FILTERS, ...VIEWS.unassigned.filters },
  cursors: [null],
  selectedId: null,
  staff: [],
  views: [],
  counts: [],
  // Bulk selection: the ids ticked (kept across pages and refreshes), or every ticket the
  // filters match (allMatching, with the count the queue gave); the last report. The macros
  // for the bulk bar are read when a first ticket is ticked.
  ticked: new Set(),
  allMatching: false,
  total: 0,
  subjects: new Map(),
  macros: null,
  report: null,
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

// The subject is the link that opens the ticket: a view without it gets it first.
function shownColumns(columns) {
  const known = columns.filter((code) => COLUMNS[code]);
  return known.includes('subject') ? known : ['subject', ...known];
}

function tick(ticketId, on) {
  if (on) state.ticked.add(ticketId); else state.ticked.delete(ticketId);
  if (!on) state.allMatching = false;
  state.report = null;
  renderBulk();
}

function row(ticket, columns) {
  const selected = ticket.ticket_id === state.selectedId;
  state.subjects.set(ticket.ticket_id, ticket.subject);
  return h('tr', { 'data-id': ticket.ticket_id, class: selected ? 'selected' : null },
    h('td', { class: 'pick', 'data-label': 'Select' },
      h('input', {
        type: 'checkbox', class: 'pick-ticket', 'aria-label': `Select ${ticket.subject}`,
        checked: state.allMatching || state.ticked.has(ticket.ticket_id),
        onchange: (event) => tick(ticket.ticket_id, event.target.checked),
      })),
    columns.map((code) => {
      const [title, cell] = COLUMNS[code];
      if (code === 'subject') {
        return h('td', { class: 'subject', 'data-label': title },
          h('a', { href: `#/ticket/${ticket.ticket_id}`, onfocus: () => markSelected(ticket.ticket_id) }, ticket.subject),
          ticket.follow_up_of ? h('span', { class: 'muted' }, ' (follow-up)') : null);
      }
      return h('td', { 'data-label': title }, cell(ticket));
    }));
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
  const columns = shownColumns(answer.view?.columns ?? DEFAULT_COLUMNS);
  const table = tickets.length === 0
    ? h('p', { class: 'empty' }, 'No tickets match.')
    : h('table', { class: 'queue' },
      h('caption', { class: 'visually-hidden' }, answer.view ? `Tickets of the view ${answer.view.name}` : 'Tickets'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', class: 'pick' }, h('input', {
          type: 'checkbox', id: 'pick-page', 'aria-label': 'Select every ticket of this page',
          checked: state.allMatching || (state.ticked.size > 0 && tickets.every((ticket) => state.ticked.has(ticket.ticket_id))),
          onchange: (event) => {
            for (const box of results.querySelectorAll('input.pick-ticket')) box.checked = event.target.checked;
            for (const ticket of tickets) tick(ticket.ticket_id, event.target.checked);
          },
        })),
        columns.map((code) => h('th', { scope: 'col' }, COLUMNS[code][0])))),
      h('tbody', {}, tickets.map((ticket) => row(ticket, columns))));
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
  const exportStatus = h('div', { role: 'status', class: 'form-status' });
  state.total = answer.total;
  state.totalCapped = answer.total_capped;
  state.pageIds = tickets.map((ticket) => ticket.ticket_id);
  replace(results,
    h('p', { class: 'summary' }, `${answer.view ? `${answer.view.name}: ` : ''}${count} · refreshed ${new Date().toLocaleTimeString()}`),
    state.savedView ? [exportControls(context, state.savedView, isAdmin(context), exportStatus), exportStatus] : null,
    table, pager);
  renderBulk();
  if (focusedId) results.querySelector(`tr[data-id="${focusedId}"] a`)?.focus();
}

function isAdmin(context) {
  return state.staff.some((member) => member.user_id === context.user.id && member.role === 'admin');
}

async function load(context, { refresh = false, views = !refresh } = {}) {
  if (!mounted) return;
  const params = { ...state.filters, view: state.savedView, cursor: state.cursors[state.cursors.length - 1] };
  try {
    const [answer, staff, saved, counts] = await Promise.all([
      context.api.queue(params),
      refresh ? state.staff : context.api.staff(),
      views ? context.api.savedViews() : state.views,
      context.api.viewCounts(),
      loadLabels(context.api),
    ]);
    if (!mounted) return;
    state.staff = staff;
    state.views = saved;
    state.counts = counts;
    fillAssignees();
    fillVocabularies();
    renderSidebar(context);
    renderResults(answer);
  } catch (error) {
    if (mounted) replace(mounted.results, errorBox(error));
  }
}

// The selection line, "select all N matching" and the bulk bar, above the results.
async function renderBulk() {
  if (!mounted) return;
  const { context } = mounted;
  if (state.macros === null && (state.allMatching || state.ticked.size > 0)) {
    state.macros = [];
    try {
      state.macros = await context.api.macros();
    } catch {
      // Without the macros the bar still offers the changes.
    }
    if (!mounted) return;
  }
  // Read after the wait: ticks made meanwhile count.
  const { bulk } = mounted;
  const count = state.allMatching ? state.total : state.ticked.size;
  if (count === 0) {
    replace(bulk, state.report);
    return;
  }
  // "All matching" sends the queue's filters (the saved view shown among them): the database
  // resolves them to ids.
  const wholePage = state.pageIds?.length && state.pageIds.every((id) => state.ticked.has(id));
  const more = !state.allMatching && wholePage && state.total > state.pageIds.length;
  const matching = `${state.totalCapped ? 'more than ' : ''}${state.total.toLocaleString()}`;
  const line = h('p', { class: 'bulk-selection' },
    state.allMatching ? `All ${matching} tickets matching the filters selected` : selectionSummary(count), ' ',
    more ? h('button', { type: 'button', class: 'link', onclick: () => { state.allMatching = true; renderBulk(); renderChecks(); } },
      `Select all ${matching} matching`) : null, ' ',
    h('button', { type: 'button', class: 'link', onclick: () => { clearSelection(); renderChecks(); } }, 'Clear selection'));
  const { q, status, priority, ticket_type: ticketType, assignee, breached } = state.filters;
  const selection = () => (state.allMatching
    ? { count: state.total, body: { filters: Object.fromEntries(Object.entries({ view: state.savedView, q, status, priority, ticket_type: ticketType, assignee, breached }).filter(([, value]) => value)) } }
    : { count: state.ticked.size, body: { ticket_ids: [...state.ticked] } });
  replace(bulk, line, bulkBar(context, {
    staff: state.staff,
    macros: state.macros,
    selection,
    subjects: state.subjects,
    onDone: (report) => {
      clearSelection();
      state.report = report;
      replace(mounted.bulk, report);
      load(context, { refresh: true, views: false });
    },
  }));
}

function renderChecks() {
  for (const box of mounted.results.querySelectorAll('input.pick-ticket')) {
    box.checked = state.allMatching || state.ticked.has(box.closest('tr').dataset.id);
  }
  const page = mounted.results.querySelector('#pick-page');
  if (page) page.checked = state.allMatching || Boolean(state.pageIds?.length && state.pageIds.every((id) => state.ticked.has(id)));
}

function clearSelection() {
  state.ticked = new Set();
  state.allMatching = false;
  state.report = null;
  renderBulk();
}

function runSavedView(context, view) {
  state.ticked = new Set();
  state.allMatching = false;
  state.savedView = view?.id ?? null;
  state.view = null;
  state.filters = { ...EMPTY_FILTERS, sort: view?.sort ?? 'created' };
  state.cursors = [null];
  renderControls(context);
  load(context, { views: false });
}

function renderSidebar(context) {
  if (!mounted) return;
  replace(mounted.viewList, viewList({
    views: state.views,
    counts: state.counts,
    current: state.savedView,
    userId: context.user.id,
    isAdmin: isAdmin(context),
    onRun: (view) => runSavedView(context, view),
    onRemove: async (view) => {
      try {
        const removed = await context.api.removeView(view.id);
        if (removed.length === 0) throw new Error('This view is not yours to delete.');
        if (state.savedView === view.id) state.savedView = null;
        replace(mounted.viewStatus);
        load(context, { views: true });
      } catch (error) {
        replace(mounted.viewStatus, errorBox(error));
      }
    },
  }));
}

// The sidebar's parts that stay while the list refreshes: the builder is not redrawn under an
// agent who is typing.
function mountSidebar(context) {
  const list = h('div', { class: 'saved-view-list' });
  const status = h('div', { role: 'status', class: 'form-status' });
  replace(mounted.sidebar,
    h('h2', {}, 'Saved views'), list, status,
    viewBuilder(context, {
      current: () => ({ filters: state.filters, sort: state.filters.sort || 'created', isAdmin: isAdmin(context) }),
      defaultColumns: DEFAULT_COLUMNS,
      onSaved: (id) => {
        state.savedView = id;
        state.view = null;
        state.cursors = [null];
        renderControls(context);
        load(context, { views: true });
      },
    }));
  mounted.viewList = list;
  mounted.viewStatus = status;
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

function applyFilters(context, changes, { leaveView = false } = {}) {
  state.ticked = new Set();
  state.allMatching = false;
  state.filters = { ...state.filters, ...changes };
  if (leaveView) state.savedView = null;
  state.view = state.savedView ? null : viewMatching(state.filters);
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
      onclick: () => applyFilters(context, { ...EMPTY_FILTERS, ...view.filters, q: state.filters.q }, { leaveView: true }),
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
  const bulk = h('div', { class: 'bulk' });
  const sidebar = h('aside', { class: 'views-sidebar', 'aria-label': 'Saved views' });
  page('Queue',
    h('p', { class: 'muted keys' }, 'Keys: j / k move, Enter opens, / searches.'),
    h('div', { class: 'queue-layout' }, sidebar, h('div', { class: 'queue-main' }, controls, bulk, results)));
  mounted = { controls, results, bulk, sidebar, context, form: null };
  mountSidebar(context);
  renderControls(context);
  replace(results, h('p', { class: 'loading' }, 'Loading…'));
  load(context);
  timer = setInterval(() => {
    if (document.visibilityState === 'visible') load(context, { refresh: true });
  }, REFRESH_MS);
}
