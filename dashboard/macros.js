// The ticket page's macros, tags and custom fields. The macros the agent may use (shared ones
// and their own), the tag list and the field definitions load in the page's one round of
// requests (loadTicketExtras); choosing a macro asks the database for its rendered text (the
// preview), and each action is one request: apply the macro, add or remove a tag, save the
// fields. Every refusal is shown as the database worded it.

import { announce, errorBox, h, label, replace } from './dom.js';
import { PRIORITY_LABELS, STATUS_LABELS, TYPE_LABELS } from './labels.js';

export function loadTicketExtras(context) {
  return Promise.all([context.api.macros(), context.api.tags(), context.api.customFields()])
    .then(([macros, tags, fields]) => ({ macros, tags, fields }));
}

function conflictBox(error, reload) {
  return error.isConflict
    ? errorBox({ message: 'Changed by someone else — reload to see their change.', hint: error.message },
      h('button', { type: 'button', onclick: () => reload() }, 'Reload'))
    : errorBox(error);
}

// What a macro's changes do, in words.
export function describeChanges(changes, staffNames = new Map()) {
  const lines = [];
  if (changes.status) lines.push(`Status → ${label(STATUS_LABELS, changes.status)}`);
  if (changes.priority) lines.push(`Priority → ${label(PRIORITY_LABELS, changes.priority)}`);
  if (changes.ticket_type) lines.push(`Type → ${label(TYPE_LABELS, changes.ticket_type)}`);
  if ('assignee_id' in changes) {
    const who = changes.assignee_id === 'me' ? 'you' : (changes.assignee_id ? staffNames.get(changes.assignee_id) ?? 'a staff member' : 'nobody');
    lines.push(`Assign to ${who}`);
  }
  if (changes.resolution) lines.push(`Resolution: ${changes.resolution}`);
  if (changes.add_tags?.length) lines.push(`Add tags: ${changes.add_tags.join(', ')}`);
  if (changes.remove_tags?.length) lines.push(`Remove tags: ${changes.remove_tags.join(', ')}`);
  return lines;
}

export function macroSection(ticket, extras, context, reload) {
  const status = h('div', { class: 'form-status' });
  const preview = h('div', { class: 'macro-preview', 'aria-live': 'polite' });
  const apply = h('button', { type: 'submit', disabled: true }, 'Apply macro');
  const choice = h('select', {
    id: 'macro-choice',
    name: 'macro',
    onchange: async () => {
      apply.disabled = true;
      replace(status);
      if (!choice.value) { replace(preview); return; }
      try {
        const rendered = await context.api.renderMacro(ticket.ticket_id, choice.value);
        const changes = describeChanges(rendered.changes);
        replace(preview,
          h('h3', {}, rendered.internal ? 'Preview · internal note' : 'Preview · reply to the user'),
          rendered.body ? h('p', { class: 'body macro-body' }, rendered.body) : h('p', { class: 'muted' }, 'No message.'),
          changes.length ? h('ul', { class: 'macro-changes' }, changes.map((line) => h('li', {}, line))) : null);
        apply.disabled = false;
      } catch (error) {
        replace(preview, errorBox(error));
      }
    },
  },
  h('option', { value: '' }, 'Choose a macro'),
  extras.macros.map((macro) => h('option', { value: macro.id }, macro.owner_id ? `${macro.name} (mine)` : macro.name)));
  return h('form', {
    class: 'card macro-form',
    'aria-labelledby': 'macro-title',
    onsubmit: async (event) => {
      event.preventDefault();
      apply.disabled = true;
      try {
        await context.api.applyMacro({ ticket_id: ticket.ticket_id, macro_id: choice.value, expected_updated_at: ticket.updated_at });
        announce('Macro applied');
        await reload();
      } catch (error) {
        replace(status, conflictBox(error, reload));
        apply.disabled = false;
      }
    },
  },
  h('h2', { id: 'macro-title' }, 'Macros'),
  extras.macros.length === 0
    ? h('p', { class: 'muted' }, 'No macro yet: add one under Setup.')
    : [h('label', { for: 'macro-choice' }, 'Macro'), choice, preview, h('div', { class: 'actions' }, apply)],
  status);
}

export function tagsSection(ticket, extras, context, reload) {
  const status = h('div', { class: 'form-status' });
  const change = async (body, done) => {
    try {
      await context.api.tagTicket({ ticket_id: ticket.ticket_id, ...body });
      announce(done);
      await reload();
    } catch (error) {
      replace(status, errorBox(error));
    }
  };
  const input = h('input', { id: 'tag-add', name: 'tag', list: 'tag-list', autocomplete: 'off', required: true, maxlength: 40 });
  const tags = ticket.tags ?? [];
  return h('form', {
    class: 'card tags-form',
    'aria-labelledby': 'tags-title',
    onsubmit: (event) => {
      event.preventDefault();
      change({ add: [input.value.trim()] }, 'Tag added');
    },
  },
  h('h2', { id: 'tags-title' }, 'Tags'),
  tags.length === 0 ? h('p', { class: 'muted' }, 'No tags.') : h('ul', { class: 'tag-chips' }, tags.map((tag) => h('li', { class: 'tag-chip' },
    h('span', {}, tag),
    h('button', {
      type: 'button', class: 'link', 'aria-label': `Remove tag ${tag}`,
      onclick: () => change({ remove: [tag] }, 'Tag removed'),
    }, '×')))),
  h('label', { for: 'tag-add' }, 'Add a tag'), input,
  h('datalist', { id: 'tag-list' }, extras.tags.map((tag) => h('option', { value: tag.name }, tag.label))),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Add tag')),
  status);
}

function fieldInput(field, value) {
  const id = `field-${field.key}`;
  const text = field.visible_to_user ? field.label : `${field.label} (staff only)`;
  if (field.field_type === 'checkbox') {
    return h('label', { class: 'choice', for: id },
      h('input', { id, type: 'checkbox', name: field.key, checked: value === true }), text);
  }
  if (field.field_type === 'many_of') {
    const chosen = new Set(Array.isArray(value) ? value : []);
    return h('fieldset', { class: 'choices', 'data-key': field.key }, h('legend', {}, text),
      field.options.map((option) => h('label', { class: 'choice' },
        h('input', { type: 'checkbox', name: field.key, value: option, checked: chosen.has(option) }), option)));
  }
  const control = field.field_type === 'one_of'
    ? h('select', { id, name: field.key },
      h('option', { value: '' }, '—'),
      field.options.map((option) => h('option', { value: option, selected: option === value }, option)))
    : h('input', {
      id,
      name: field.key,
      type: { number: 'number', date: 'date' }[field.field_type] ?? 'text',
      step: field.field_type === 'number' ? 'any' : null,
      value: value ?? '',
    });
  return [h('label', { for: id }, text), control];
}

// The value a form holds for a field, as the database stores it (null: none).
function formValue(form, field) {
  if (field.field_type === 'many_of') {
    const picked = [...form.querySelectorAll(`input[name="${field.key}"]:checked`)].map((box) => box.value);
    return picked.length ? picked : null;
  }
  const control = form.elements.namedItem(field.key);
  if (field.field_type === 'checkbox') return control.checked;
  if (control.value === '') return null;
  return field.field_type === 'number' ? Number(control.value) : control.value;
}

export function fieldsSection(ticket, extras, context, reload) {
  const fields = extras.fields.filter((field) => !field.ticket_type || field.ticket_type === ticket.ticket_type);
  if (fields.length === 0) return null;
  const current = ticket.fields ?? {};
  const status = h('div', { class: 'form-status' });
  const form = h('form', {
    class: 'card fields-form',
    'aria-labelledby': 'fields-title',
    onsubmit: async (event) => {
      event.preventDefault();
      const changed = {};
      for (const field of fields) {
        const value = formValue(form, field);
        const before = current[field.key] ?? (field.field_type === 'checkbox' ? false : null);
        if (JSON.stringify(value) !== JSON.stringify(before)) changed[field.key] = value;
      }
      if (Object.keys(changed).length === 0) { announce('Nothing changed'); return; }
      try {
        await context.api.setTicketFields({ ticket_id: ticket.ticket_id, fields: changed, expected_updated_at: ticket.updated_at });
        announce('Fields saved');
        await reload();
      } catch (error) {
        replace(status, conflictBox(error, reload));
      }
    },
  },
  h('h2', { id: 'fields-title' }, 'Fields'),
  fields.map((field) => fieldInput(field, current[field.key])),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Save fields')),
  status);
  return form;
}

// The history's words for the events of this module's kinds; null for any other kind.
export function describeLabelEvent(event) {
  if (event.kind === 'tag_added') return `added the tag ${event.to}`;
  if (event.kind === 'tag_removed') return `removed the tag ${event.from}`;
  if (event.kind === 'field' || event.kind === 'staff_field') {
    const after = event.to ? JSON.parse(event.to) : null;
    const before = event.from ? JSON.parse(event.from) : null;
    const key = (after ?? before)?.key;
    return after ? `set ${key} to ${JSON.stringify(after.value)}` : `cleared ${key}`;
  }
  return null;
}
