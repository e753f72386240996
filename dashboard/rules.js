// Rules (docs/rules.md): the event rules and time rules, switched on, off or to dry run, edited
// as their rule language (JSON) with the database's refusal shown as it is, and the last runs.
// Staff read; the database refuses an agent's change (row level security), and the page says so.

import { errorBox, h, replace, when } from './dom.js';

function mode(rule) {
  if (!rule.enabled) return 'Off';
  return rule.dry_run ? 'Dry run' : 'Live';
}

// Row level security hides a change nobody may make: an update that reaches no row.
const NOT_ALLOWED = { message: 'Nothing changed: only support admins change rules.' };

function modeButtons(rule, save, rerender, status) {
  const set = (change) => async () => {
    try {
      if (!(await save(rule.id, change)).length) {
        replace(status, errorBox(NOT_ALLOWED));
        return;
      }
      rerender();
    } catch (error) {
      replace(status, errorBox(error));
    }
  };
  return h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'secondary', onclick: set({ enabled: !rule.enabled }) },
      rule.enabled ? `Switch off ${rule.name}` : `Switch on ${rule.name}`),
    h('button', { type: 'button', class: 'secondary', onclick: set({ dry_run: !rule.dry_run }) },
      rule.dry_run ? `Make ${rule.name} live` : `Dry run ${rule.name}`));
}

function json(value) {
  return JSON.stringify(value, null, 2);
}

function textArea(id, label, value) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('textarea', { id, rows: 6, spellcheck: 'false' }, value));
}

// The editor of one event rule (or a new one): the JSON goes to the database, which checks it.
function editor(rule, context, rerender) {
  const status = h('div', { class: 'editor-status' });
  const name = h('input', { id: 'rule-name', value: rule?.name ?? '', required: true });
  const events = h('input', { id: 'rule-events', value: (rule?.on_events ?? ['created']).join(', ') });
  const match = h('select', { id: 'rule-match' },
    [['all', 'All conditions'], ['any', 'Any condition']].map(([value, text]) =>
      h('option', { value, selected: (rule?.match ?? 'all') === value }, text)));
  const form = h('form', {
    class: 'rule-editor',
    'aria-label': rule ? `Edit ${rule.name}` : 'New rule',
    onsubmit: async (event) => {
      event.preventDefault();
      let body;
      try {
        body = {
          name: name.value,
          on_events: events.value.split(',').map((item) => item.trim()).filter(Boolean),
          match: match.value,
          conditions: JSON.parse(form.querySelector('#rule-conditions').value || '[]'),
          actions: JSON.parse(form.querySelector('#rule-actions').value || '[]'),
        };
      } catch {
        replace(status, errorBox({ message: 'Conditions and actions must be JSON lists.' }));
        return;
      }
      try {
        if (!(await context.api.saveRule(rule?.id, body)).length) {
          replace(status, errorBox(NOT_ALLOWED));
          return;
        }
        rerender();
      } catch (error) {
        replace(status, errorBox(error));
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'rule-name' }, 'Name'), name),
  h('div', { class: 'field' }, h('label', { for: 'rule-events' }, 'Events (comma-separated)'), events),
  h('div', { class: 'field' }, h('label', { for: 'rule-match' }, 'Match'), match),
  textArea('rule-conditions', 'Conditions (JSON)', json(rule?.conditions ?? [])),
  textArea('rule-actions', 'Actions (JSON)', json(rule?.actions ?? [])),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, rule ? 'Save rule' : 'Add rule')),
  status);
  return form;
}

function runsTable(caption, runs) {
  if (!runs.length) return h('p', { class: 'empty' }, `No ${caption.toLowerCase()} yet.`);
  return h('table', { class: 'queue rule-runs' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ['When', 'Rule', 'Ticket', 'What', 'Outcome'].map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, runs.map((run) => h('tr', {},
      h('td', { 'data-label': 'When' }, when(run.created_at)),
      h('td', { 'data-label': 'Rule' }, run.rule_name),
      h('td', { 'data-label': 'Ticket' }, h('a', { href: `#/ticket/${run.ticket_id}` }, run.ticket_id.slice(0, 8))),
      h('td', { 'data-label': 'What' }, run.actions.map((action) => `${action.action} ${action.value ?? ''}`.trim()).join('; ')),
      h('td', { 'data-label': 'Outcome' }, run.refused ? `Refused (${run.refused})` : run.dry_run ? 'Would have done (dry run)' : 'Done')))));
}

export async function renderRules(main, context, page) {
  const rerender = () => renderRules(main, context, page);
  let rules, timeRules, runs, timeRuns;
  try {
    [rules, timeRules, runs, timeRuns] = await Promise.all([
      context.api.rules(), context.api.timeRules(), context.api.ruleRuns(), context.api.timeRuleRuns()]);
  } catch (error) {
    page('Rules', errorBox(error));
    return;
  }
  const status = h('div', { class: 'rules-status' });
  const editing = h('div', { class: 'rule-editing' }, editor(null, context, rerender));
  const ruleRow = (rule, save, describe, editable) => h('tr', { 'data-rule': rule.name },
    h('th', { scope: 'row' }, rule.name),
    h('td', { 'data-label': 'When' }, describe(rule)),
    h('td', { 'data-label': 'Mode' }, mode(rule)),
    h('td', { 'data-label': 'Change' },
      modeButtons(rule, save, rerender, status),
      editable ? h('button', {
        type: 'button', class: 'link',
        onclick: () => replace(editing, editor(rule, context, rerender)),
      }, `Edit ${rule.name}`) : null));
  const table = (caption, list, save, describe, editable) => h('table', { class: 'queue rules' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ['Rule', 'When', 'Mode', 'Change'].map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, list.map((rule) => ruleRow(rule, save, describe, editable))));
  page('Rules',
    h('p', { class: 'muted' },
      'Event rules run in the transaction of a change, in order; time rules run every minute. Dry run records what a rule would do and changes nothing.'),
    status,
    table('Event rules', rules, context.api.saveRule,
      (rule) => `${rule.on_events.join(', ')} · ${rule.match} of ${rule.conditions.length} condition(s)`, true),
    table('Time rules', timeRules, context.api.saveTimeRule,
      (rule) => `${rule.clock} · ${rule.minutes} min`, false),
    h('h2', {}, 'Edit an event rule'),
    editing,
    h('h2', {}, 'Last runs'),
    runsTable('Event rule runs', runs),
    runsTable('Time rule runs', timeRuns));
}
