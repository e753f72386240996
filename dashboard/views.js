// Saved views in the queue's sidebar (docs/views-and-export.md): the list with counts, the
// builder that saves one (personal, or shared for admins), and the CSV export of the view
// shown. Every rule is the database's: the builder offers the fields and operators of
// public.view_condition_fields and shows the database's refusal as it is.

import { errorBox, h, replace } from './dom.js';

// The queue's filters as view conditions, so that a view starts from what the agent sees.
export function conditionsFromFilters(filters) {
  const conditions = [];
  for (const [name, field] of [['status', 'status'], ['priority', 'priority'], ['ticket_type', 'ticket_type']]) {
    if (filters[name]) conditions.push({ field, op: 'is', value: filters[name] });
  }
  if (filters.assignee) conditions.push({ field: 'assignee', op: 'is', value: filters.assignee });
  if (filters.breached) conditions.push({ field: 'breached', op: 'is', value: filters.breached === 'true' });
  if (filters.q) conditions.push({ field: 'text', op: 'matches', value: filters.q });
  return conditions;
}

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// The export buttons of a saved view: everyone's, and the admins' with internal notes.
export function exportControls(context, viewId, isAdmin, status) {
  const run = async (params) => {
    replace(status, h('p', {}, 'Preparing the CSV…'));
    try {
      download(await context.api.exportTickets(params), 'tickets.csv');
      replace(status, h('p', {}, 'CSV downloaded.'));
    } catch (error) {
      replace(status, errorBox(error));
    }
  };
  return h('div', { class: 'export' },
    h('button', { type: 'button', class: 'secondary', onclick: () => run({ view: viewId }) }, 'Export CSV'),
    isAdmin ? h('button', {
      type: 'button', class: 'secondary', onclick: () => run({ view: viewId, include_internal: 'true' }),
    }, 'Export CSV with internal notes') : null);
}

// The sidebar: each view with its count, the current one pressed; a delete button on the views
// the signed-in member keeps (their own; shared ones for admins).
export function viewList({ views, counts, current, userId, isAdmin, onRun, onRemove }) {
  const countOf = new Map(counts.map((c) => [c.id, c]));
  if (views.length === 0) return h('p', { class: 'muted' }, 'No saved views yet.');
  return h('ul', { class: 'saved-views' }, views.map((view) => {
    const counted = countOf.get(view.id);
    const count = counted ? `${counted.count}${counted.count_capped ? '+' : ''}` : '…';
    const keeps = view.owner_id === userId || (view.owner_id === null && isAdmin);
    return h('li', {},
      h('button', {
        type: 'button', class: 'view saved-view', 'aria-pressed': String(current === view.id),
        'data-view-id': view.id, onclick: () => onRun(view),
      }, h('span', { class: 'view-name' }, view.name),
      h('span', { class: 'count', 'aria-label': `${count} tickets` }, count),
      view.owner_id === null ? h('span', { class: 'muted shared' }, ' shared') : null),
      keeps ? h('button', {
        type: 'button', class: 'link', 'aria-label': `Delete view ${view.name}`, onclick: () => onRemove(view),
      }, 'Delete') : null);
  }));
}

function parseValue(kind, op, text, fieldType) {
  if (op === 'in') {
    const items = text.split(',').map((item) => item.trim()).filter(Boolean);
    return fieldType === 'number' ? items.map(Number) : items;
  }
  if (kind === 'boolean' || fieldType === 'checkbox') return text.trim() === 'true';
  if (fieldType === 'number') return Number(text);
  return text.trim();
}

function valueText(value) {
  return Array.isArray(value) ? value.join(', ') : String(value ?? '');
}

// "New view": each time it is opened, it reads the condition fields, the columns and the
// custom fields (one round), starts from the queue's filters of that moment (`current()`), and
// saves the view as the database checks it.
export function viewBuilder(context, { current, defaultColumns, onSaved }) {
  const body = h('div', { class: 'builder-body' });
  const details = h('details', { class: 'view-builder' }, h('summary', {}, 'New view from these filters'), body);
  details.addEventListener('toggle', async () => {
    // Closed, the form goes: reopened, it starts afresh, and nothing typed into the old one
    // before the new one arrives is lost in it.
    if (!details.open) {
      replace(body);
      return;
    }
    replace(body, h('p', { class: 'loading' }, 'Loading…'));
    try {
      const [fields, columns, customFields] = await Promise.all([
        context.api.viewConditionFields(), context.api.viewColumns(), context.api.customFields(),
      ]);
      const { filters, sort, isAdmin } = current();
      replace(body, builderForm(context, {
        fields, columns, customFields, filters, sort, defaultColumns, isAdmin,
        onSaved: (id) => { details.open = false; onSaved(id); },
      }));
    } catch (error) {
      replace(body, errorBox(error));
    }
  });
  return details;
}

function builderForm(context, { fields, columns, customFields, filters, sort, defaultColumns, isAdmin, onSaved }) {
  const byField = new Map(fields.map((f) => [f.field, f]));
  const customByKey = new Map(customFields.map((f) => [f.key, f]));
  const choices = [
    ...fields.filter((f) => f.field !== 'field').map((f) => [f.field, f.description]),
    ...customFields.map((f) => [`field.${f.key}`, `${f.label} (custom field)`]),
  ];
  const allowedOf = (name) => byField.get(name.startsWith('field.') ? 'field' : name);
  const list = h('ol', { class: 'conditions' });
  let serial = 0;

  const addRow = (condition = { field: 'status', op: 'is', value: '' }) => {
    serial += 1;
    const n = serial;
    const fieldSelect = h('select', { id: `view-field-${n}`, name: 'field' },
      choices.map(([code, text]) => h('option', { value: code, selected: code === condition.field }, text)));
    const opSelect = h('select', { id: `view-op-${n}`, name: 'op' });
    const value = h('input', { id: `view-value-${n}`, name: 'value', value: valueText(condition.value) });
    const fillOps = (selected) => {
      const allowed = allowedOf(fieldSelect.value);
      replace(opSelect, (allowed?.operators ?? []).map((op) => h('option', { value: op, selected: op === selected }, op.replace('_', ' '))));
      value.placeholder = allowed?.expects ?? '';
    };
    fieldSelect.addEventListener('change', () => fillOps(null));
    fillOps(condition.op);
    const row = h('li', { class: 'condition' },
      h('label', { for: `view-field-${n}`, class: 'visually-hidden' }, `Condition ${n}: field`), fieldSelect,
      h('label', { for: `view-op-${n}`, class: 'visually-hidden' }, `Condition ${n}: operator`), opSelect,
      h('label', { for: `view-value-${n}`, class: 'visually-hidden' }, `Condition ${n}: value`), value,
      h('button', { type: 'button', class: 'link', onclick: () => row.remove() }, 'Remove'));
    row.read = () => {
      const allowed = allowedOf(fieldSelect.value);
      const custom = customByKey.get(fieldSelect.value.replace(/^field\./, ''));
      return {
        field: fieldSelect.value,
        op: opSelect.value,
        value: parseValue(allowed?.value_kind, opSelect.value, value.value,
          fieldSelect.value.startsWith('field.') ? custom?.field_type : null),
      };
    };
    list.append(row);
  };
  for (const condition of conditionsFromFilters(filters)) addRow(condition);

  const name = h('input', { id: 'view-name', name: 'name', required: true, maxlength: 100 });
  const match = h('select', { id: 'view-match', name: 'match' },
    h('option', { value: 'all' }, 'all of the conditions'), h('option', { value: 'any' }, 'any of the conditions'));
  const shared = isAdmin ? h('input', { id: 'view-shared', type: 'checkbox', name: 'shared' }) : null;
  const columnBoxes = columns.map((column) => h('label', { class: 'column-choice' },
    h('input', { type: 'checkbox', name: 'columns', value: column.code, checked: defaultColumns.includes(column.code) }),
    ` ${column.label}`));
  const status = h('div', { role: 'status', class: 'form-status' });
  return h('form', {
    class: 'view-form',
    onsubmit: async (event) => {
      event.preventDefault();
      const view = {
        name: name.value.trim(),
        conditions: { match: match.value, conditions: [...list.children].map((row) => row.read()) },
        columns: columnBoxes.map((box) => box.querySelector('input')).filter((box) => box.checked).map((box) => box.value),
        sort,
      };
      if (shared?.checked) view.owner_id = null;
      try {
        const [saved] = await context.api.saveView(view);
        replace(status, h('p', {}, 'View saved.'));
        onSaved(saved.id);
      } catch (error) {
        replace(status, errorBox(error));
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'view-name' }, 'Name'), name),
  h('div', { class: 'field' }, h('label', { for: 'view-match' }, 'Tickets matching'), match),
  list,
  h('button', { type: 'button', class: 'secondary', onclick: () => addRow() }, 'Add condition'),
  h('fieldset', { class: 'columns' }, h('legend', {}, 'Columns'), columnBoxes),
  shared ? h('div', { class: 'field checkbox' }, shared, h('label', { for: 'view-shared' }, 'Shared with every agent')) : null,
  h('button', { type: 'submit' }, 'Save view'),
  status);
}
