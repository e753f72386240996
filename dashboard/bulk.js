// The queue's bulk bar: a change (status, priority, assignee, a tag) or a macro applied to the
// selected tickets, or to every ticket the queue's filters match, with support_bulk_update
// (docs/bulk-and-collisions.md). Up to 50 tickets the answer is the report; more become a job,
// whose progress support_bulk_job reports until it is done. Each ticket is changed as by hand;
// the report lists the refused ones with the database's reason.

import { announce, errorBox, h, replace } from './dom.js';
import { PRIORITY_LABELS, STATUS_LABELS } from './labels.js';

const POLL_MS = 1000;

function choice(id, text, options) {
  return h('div', { class: 'field' },
    h('label', { for: id }, text),
    h('select', { id }, [['', '—'], ...options].map(([value, optionText]) => h('option', { value }, optionText))));
}

function reportOf(answer, subjects) {
  const refused = answer.refused ?? [];
  const pending = answer.pending ? `, ${answer.pending.toLocaleString()} to go` : '';
  return h('div', { class: 'bulk-report', role: 'status' },
    h('p', {}, h('strong', {}, `${answer.changed.toLocaleString()} of ${answer.total.toLocaleString()} changed`),
      `${pending}${refused.length || answer.refused_count ? `, ${(answer.refused_count ?? refused.length).toLocaleString()} refused` : ''}.`),
    refused.length ? h('ul', { class: 'bulk-refused' }, refused.map((item) => h('li', {},
      h('a', { href: `#/ticket/${item.ticket_id}` }, subjects.get(item.ticket_id) ?? item.ticket_id), ': ', item.message))) : null);
}

// selection(): {ticket_ids} or {filters}, and how many; subjects: ticket id → subject, for the
// report; onDone(): the queue loads again.
export function bulkBar(context, { staff, macros, selection, subjects, onDone }) {
  const status = h('div', { class: 'form-status' });
  const tag = h('input', { id: 'bulk-tag', type: 'text', maxlength: 40, placeholder: 'a-tag' });
  const form = h('form', {
    class: 'bulk-bar card',
    'aria-label': 'Bulk action',
    onsubmit: async (event) => {
      event.preventDefault();
      const value = (id) => form.querySelector(`#${id}`).value;
      const changes = {};
      if (value('bulk-status')) changes.status = value('bulk-status');
      if (value('bulk-priority')) changes.priority = value('bulk-priority');
      if (value('bulk-assignee')) changes.assignee_id = value('bulk-assignee') === 'none' ? null : value('bulk-assignee');
      if (tag.value.trim()) changes.add_tags = [tag.value.trim()];
      const macro = value('bulk-macro');
      if (!macro && Object.keys(changes).length === 0) {
        replace(status, errorBox({ message: 'Choose a change or a macro.' }));
        return;
      }
      const chosen = selection();
      const body = { ...chosen.body, ...(macro ? { macro_id: macro } : { changes }) };
      const submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      replace(status, h('p', { class: 'loading' }, `Applying to ${chosen.count.toLocaleString()} tickets…`));
      try {
        let answer = await context.api.bulkUpdate(body);
        while (answer.status !== 'done') {
          replace(status, reportOf(answer, subjects));
          await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
          answer = await context.api.bulkJob(answer.job_id);
        }
        announce(`${answer.changed} changed, ${answer.refused_count ?? answer.refused.length} refused`);
        onDone(reportOf(answer, subjects));
      } catch (error) {
        replace(status, errorBox(error));
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { class: 'visually-hidden' }, 'Bulk action'),
  choice('bulk-status', 'Status', Object.entries(STATUS_LABELS)),
  choice('bulk-priority', 'Priority', Object.entries(PRIORITY_LABELS)),
  choice('bulk-assignee', 'Assignee', [['me', 'Me'], ['none', 'Unassigned'],
    ...staff.map((member) => [member.user_id, member.display_name])]),
  h('div', { class: 'field' }, h('label', { for: 'bulk-tag' }, 'Add tag'), tag),
  choice('bulk-macro', 'Or apply macro', macros.map((macro) => [macro.id, macro.name])),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply to selected')),
  status);
  return form;
}

export function selectionSummary(count) {
  return `${count.toLocaleString()} ${count === 1 ? 'ticket' : 'tickets'} selected`;
}
