// Audit log (admins only): every change to the configuration and to staff's powers, newest
// first, from support_audit_log, filtered by table, actor and dates. The database decides who
// may read it: an agent who opens this page sees its refusal. One round of requests: a page of
// the log (with the audited tables, for the filter) and the staff list (to name actors), in
// parallel; "Older entries" asks for the next page.

import { errorBox, h, replace, when } from './dom.js';
import { AUDIT_ACTION_LABELS } from './labels.js';

const state = { table_name: '', actor: '', since: '', until: '' };

// The day after a date, as support_audit_log's until excludes its own instant.
function dayAfter(date) {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

function query(before) {
  return {
    table_name: state.table_name,
    actor: state.actor,
    since: state.since,
    until: state.until ? dayAfter(state.until) : '',
    before,
  };
}

function shown(value) {
  return value === undefined || value === null ? '—' : JSON.stringify(value);
}

// What changed, field by field: the whole row for an insert or a delete.
function changes(entry) {
  const before = entry.old_values ?? {};
  const after = entry.new_values ?? {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((field) => entry.action !== 'update' || shown(before[field]) !== shown(after[field]));
  if (!fields.length) return h('span', { class: 'muted' }, '—');
  return h('ul', { class: 'audit-changes' }, fields.map((field) => h('li', {},
    h('code', {}, field), ': ',
    entry.action === 'insert' ? shown(after[field])
      : entry.action === 'delete' ? shown(before[field])
        : `${shown(before[field])} → ${shown(after[field])}`)));
}

function row(entry) {
  const who = entry.actor_name ? `${entry.actor_name} (${entry.actor_role})` : entry.actor_role;
  return h('tr', { 'data-id': entry.id },
    h('td', { 'data-label': 'When' }, when(entry.changed_at)),
    h('td', { 'data-label': 'Who' }, who),
    h('td', { 'data-label': 'Table' }, h('code', {}, entry.table_name)),
    h('td', { 'data-label': 'Row' }, entry.row_key ? h('code', {}, JSON.stringify(entry.row_key)) : '—'),
    h('td', { 'data-label': 'Action' }, AUDIT_ACTION_LABELS[entry.action] ?? entry.action),
    h('td', { 'data-label': 'Changes' }, changes(entry)));
}

function select(id, text, options, value, onchange) {
  return h('div', { class: 'field' },
    h('label', { for: id }, text),
    h('select', { id, onchange }, options.map(([optionValue, optionText]) =>
      h('option', { value: optionValue, selected: optionValue === value }, optionText))));
}

function dateField(id, text, key, rerender) {
  return h('div', { class: 'field' },
    h('label', { for: id }, text),
    h('input', {
      id, type: 'date', value: state[key],
      onchange: (event) => { state[key] = event.target.value; rerender(); },
    }));
}

function filters(log, staff, rerender) {
  const set = (key) => (event) => { state[key] = event.target.value; rerender(); };
  const actors = [['', 'Anyone'],
    ...staff.map((member) => [member.user_id, member.display_name]),
    ['service_role', 'service_role (server key)'], ['postgres', 'postgres (Studio, SQL)']];
  return h('form', { class: 'filters audit-filters', 'aria-label': 'Filter the audit log', onsubmit: (event) => event.preventDefault() },
    select('audit-table', 'Table', [['', 'All tables'], ...log.tables.map((name) => [name, name])], state.table_name, set('table_name')),
    select('audit-actor', 'Who', actors, state.actor, set('actor')),
    dateField('audit-since', 'From', 'since', rerender),
    dateField('audit-until', 'To', 'until', rerender));
}

export async function renderAudit(main, context, page) {
  const rerender = () => renderAudit(main, context, page);
  let log, staff;
  try {
    [log, staff] = await Promise.all([context.api.auditLog(query()), context.api.staff()]);
  } catch (error) {
    page('Audit log', errorBox(error));
    return;
  }
  const body = h('tbody', {}, log.entries.map(row));
  const more = h('div', { class: 'actions' });
  const showMore = (next) => replace(more, next === null ? null : h('button', {
    type: 'button',
    class: 'secondary',
    onclick: async () => {
      try {
        const older = await context.api.auditLog(query(next));
        body.append(...older.entries.map(row));
        showMore(older.next_before);
      } catch (error) {
        replace(more, errorBox(error));
      }
    },
  }, 'Older entries'));
  showMore(log.next_before);
  page('Audit log',
    h('p', { class: 'muted' },
      'Every change to the configuration and to staff roles, newest first. Nobody can change or delete an entry; secrets show as redacted.'),
    filters(log, staff, rerender),
    log.entries.length
      ? h('table', { class: 'queue audit' },
        h('caption', { class: 'visually-hidden' }, 'Audit log entries'),
        h('thead', {}, h('tr', {}, ['When', 'Who', 'Table', 'Row', 'Action', 'Changes'].map((name) => h('th', { scope: 'col' }, name)))),
        body)
      : h('p', { class: 'empty' }, 'No change matches these filters.'),
    more);
}
