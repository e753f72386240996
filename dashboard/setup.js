// Setup: the macros, the tag list (and whether tags must come from it) and the custom field
// definitions. One round of requests renders it, in parallel. Agents see it too: they keep
// their personal macros here; the database refuses them the rest (shared macros, tags,
// fields), and the page shows its refusal. Each action is one request, then the page renders
// again.

import { announce, errorBox, h, label, replace } from './dom.js';
import { PRIORITY_LABELS, STATUS_LABELS, TYPE_LABELS, loadLabels } from './labels.js';
import { describeChanges } from './macros.js';

function options(entries, empty) {
  return [h('option', { value: '' }, empty), entries.map(([value, text]) => h('option', { value }, text))];
}

function words(text) {
  return text.split(',').map((word) => word.trim()).filter(Boolean);
}

// Runs one change and renders the page again, or shows the database's refusal in `status`.
function acting(status, rerender) {
  return async (change, done) => {
    try {
      await change();
      announce(done);
      await rerender();
    } catch (error) {
      replace(status, errorBox(error));
    }
  };
}

function macrosSection(macros, variables, context, rerender) {
  const status = h('div', { class: 'form-status' });
  const act = acting(status, rerender);
  const form = h('form', {
    class: 'card setup-form',
    'aria-labelledby': 'new-macro-title',
    onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const changes = {};
      if (data.get('status')) changes.status = data.get('status');
      if (data.get('priority')) changes.priority = data.get('priority');
      if (data.get('assign_me')) changes.assignee_id = 'me';
      if (data.get('resolution')) changes.resolution = data.get('resolution');
      if (words(data.get('add_tags')).length) changes.add_tags = words(data.get('add_tags'));
      act(() => context.api.saveMacro({
        name: data.get('name'),
        body: data.get('body'),
        internal: Boolean(data.get('internal')),
        changes,
        owner_id: data.get('shared') ? null : context.user.id,
      }), 'Macro saved');
    },
  },
  h('h3', { id: 'new-macro-title' }, 'New macro'),
  h('label', { for: 'macro-name' }, 'Name'), h('input', { id: 'macro-name', name: 'name', required: true, maxlength: 100 }),
  h('label', { for: 'macro-body' }, 'Message'),
  h('textarea', { id: 'macro-body', name: 'body', rows: 5, maxlength: 5000, 'aria-describedby': 'macro-variables' }),
  h('p', { class: 'muted', id: 'macro-variables' }, 'Variables: ', variables.map((variable) => `{{${variable.code}}}`).join(' ')),
  h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'internal' }), 'Post as an internal note'),
  h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'shared' }), 'Shared with every agent (admins only)'),
  h('label', { for: 'macro-status' }, 'Set status'),
  h('select', { id: 'macro-status', name: 'status' }, options(Object.entries(STATUS_LABELS), 'Leave as it is')),
  h('label', { for: 'macro-resolution' }, 'Resolution'), h('input', { id: 'macro-resolution', name: 'resolution', maxlength: 5000 }),
  h('label', { for: 'macro-priority' }, 'Set priority'),
  h('select', { id: 'macro-priority', name: 'priority' }, options(Object.entries(PRIORITY_LABELS), 'Leave as it is')),
  h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'assign_me' }), 'Assign to whoever applies it'),
  h('label', { for: 'macro-tags' }, 'Add tags (comma-separated)'), h('input', { id: 'macro-tags', name: 'add_tags' }),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save macro')),
  status);
  return h('section', { class: 'card', 'aria-labelledby': 'macros-title' },
    h('h2', { id: 'macros-title' }, 'Macros'),
    macros.length === 0 ? h('p', { class: 'muted' }, 'No macro yet.') : h('table', { class: 'queue setup-table' },
      h('caption', { class: 'visually-hidden' }, 'Macros'),
      h('thead', {}, h('tr', {}, ['Name', 'Kind', 'Does', 'Used', ''].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, macros.map((macro) => h('tr', {},
        h('th', { scope: 'row' }, macro.name),
        h('td', { 'data-label': 'Kind' }, macro.owner_id ? 'Personal' : 'Shared'),
        h('td', { 'data-label': 'Does' }, [macro.body ? (macro.internal ? 'Internal note' : 'Reply') : null,
          ...describeChanges(macro.changes)].filter(Boolean).join(' · ')),
        h('td', { 'data-label': 'Used' }, String(macro.usage_count)),
        h('td', {}, h('button', {
          type: 'button', class: 'link', 'aria-label': `Delete macro ${macro.name}`,
          onclick: () => act(() => context.api.removeMacro(macro.id), 'Macro deleted'),
        }, 'Delete')))))),
    form);
}

function tagsSection(tags, settings, context, rerender) {
  const status = h('div', { class: 'form-status' });
  const act = acting(status, rerender);
  const form = h('form', {
    class: 'setup-form',
    'aria-labelledby': 'new-tag-title',
    onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(form);
      act(() => context.api.saveTag({
        name: data.get('name'), label: data.get('label'), description: data.get('description') || null,
      }), 'Tag added');
    },
  },
  h('h3', { id: 'new-tag-title' }, 'New tag'),
  h('label', { for: 'tag-name' }, 'Tag'), h('input', { id: 'tag-name', name: 'name', required: true, maxlength: 40 }),
  h('label', { for: 'tag-label' }, 'Label'), h('input', { id: 'tag-label', name: 'label', required: true, maxlength: 60 }),
  h('label', { for: 'tag-description' }, 'When to use it'), h('input', { id: 'tag-description', name: 'description', maxlength: 500 }),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add tag')));
  return h('section', { class: 'card', 'aria-labelledby': 'tags-setup-title' },
    h('h2', { id: 'tags-setup-title' }, 'Tags'),
    h('label', { class: 'choice' },
      h('input', {
        type: 'checkbox', id: 'tags-from-list', checked: Boolean(settings?.tags_from_list),
        onchange: (event) => act(() => context.api.setTagSettings({ tags_from_list: event.target.checked }), 'Tag setting saved'),
      }), 'Staff may use only the tags of this list'),
    tags.length === 0 ? h('p', { class: 'muted' }, 'The list is empty.') : h('ul', { class: 'tag-chips' }, tags.map((tag) => h('li', { class: 'tag-chip', title: tag.description ?? '' },
      h('span', {}, `${tag.label} (${tag.name})`),
      h('button', {
        type: 'button', class: 'link', 'aria-label': `Remove ${tag.name} from the list`,
        onclick: () => act(() => context.api.removeTag(tag.name), 'Tag removed'),
      }, '×')))),
    form,
    status);
}

function fieldsSection(fields, types, context, rerender) {
  const status = h('div', { class: 'form-status' });
  const act = acting(status, rerender);
  const typeNames = Object.fromEntries(types.map((type) => [type.code, type.label]));
  const form = h('form', {
    class: 'setup-form',
    'aria-labelledby': 'new-field-title',
    onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const choices = words(data.get('options'));
      act(() => context.api.saveField({
        key: data.get('key'),
        label: data.get('label'),
        field_type: data.get('field_type'),
        options: choices.length ? choices : null,
        ticket_type: data.get('ticket_type') || null,
        required: Boolean(data.get('required')),
        visible_to_user: Boolean(data.get('visible_to_user')),
        position: fields.length + 1,
      }), 'Field added');
    },
  },
  h('h3', { id: 'new-field-title' }, 'New field'),
  h('label', { for: 'field-key' }, 'Key'), h('input', { id: 'field-key', name: 'key', required: true, maxlength: 40 }),
  h('label', { for: 'field-label' }, 'Label'), h('input', { id: 'field-label', name: 'label', required: true, maxlength: 100 }),
  h('label', { for: 'field-type' }, 'Type'),
  h('select', { id: 'field-type', name: 'field_type' }, types.map((type) => h('option', { value: type.code }, type.label))),
  h('label', { for: 'field-options' }, 'Options (comma-separated, for choices)'), h('input', { id: 'field-options', name: 'options' }),
  h('label', { for: 'field-ticket-type' }, 'Ticket type'),
  h('select', { id: 'field-ticket-type', name: 'ticket_type' }, options(Object.entries(TYPE_LABELS), 'Every type')),
  h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'visible_to_user', checked: true }), 'The user sees it and fills it in'),
  h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'required' }), 'Required when filing'),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add field')));
  return h('section', { class: 'card', 'aria-labelledby': 'fields-setup-title' },
    h('h2', { id: 'fields-setup-title' }, 'Custom fields'),
    fields.length === 0 ? h('p', { class: 'muted' }, 'No custom field.') : h('table', { class: 'queue setup-table' },
      h('caption', { class: 'visually-hidden' }, 'Custom fields'),
      h('thead', {}, h('tr', {}, ['Label', 'Key', 'Type', 'Ticket type', 'Who', ''].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, fields.map((field) => h('tr', {},
        h('th', { scope: 'row' }, field.label),
        h('td', { 'data-label': 'Key' }, h('code', {}, field.key)),
        h('td', { 'data-label': 'Type' }, [typeNames[field.field_type] ?? field.field_type,
          field.options ? `: ${field.options.join(', ')}` : ''].join('')),
        h('td', { 'data-label': 'Ticket type' }, field.ticket_type ? label(TYPE_LABELS, field.ticket_type) : 'Every type'),
        h('td', { 'data-label': 'Who' }, field.visible_to_user ? (field.required ? 'User, required' : 'User') : 'Staff only'),
        h('td', {}, h('button', {
          type: 'button', class: 'link', 'aria-label': `Delete field ${field.label}`,
          onclick: () => act(() => context.api.removeField(field.key), 'Field deleted'),
        }, 'Delete')))))),
    form,
    status);
}

export async function renderSetup(main, context, page) {
  const rerender = () => renderSetup(main, context, page);
  let macros, variables, tags, settings, fields, types;
  try {
    [macros, variables, tags, settings, fields, types] = await Promise.all([
      context.api.macros(), context.api.macroVariables(), context.api.tags(), context.api.tagSettings(),
      context.api.customFields(), context.api.customFieldTypes(), loadLabels(context.api),
    ]);
  } catch (error) {
    page('Setup', errorBox(error));
    return;
  }
  page('Setup',
    h('p', { class: 'muted' }, 'Macros answer in one click; tags and custom fields describe tickets. Admins manage the shared macros, the tags and the fields; every agent keeps personal macros.'),
    macrosSection(macros, variables, context, rerender),
    tagsSection(tags, settings, context, rerender),
    fieldsSection(fields, types, context, rerender));
}
