// A ticket: the report as filed, the thread (public replies apart from internal notes), the
// composer, the controls (only the moves public.ticket_transitions allows an agent), the rating
// and the history, with its macros, tags and custom fields (macros.js). One round of requests
// renders it: the ticket, the agents' moves, the staff list, the macros, the tag list, the
// field definitions, the first presence heartbeat and the help articles that may answer it
// (articles.js), in parallel. Every refusal is shown as the database worded it. A public reply
// names the newest public message the agent saw; when a newer one arrived meanwhile the database
// refuses it (reply_collision) and the page reloads the thread, keeping the draft, with "X
// replied while you were typing — review before sending".

import { articleSuggestions } from './articles.js';
import { attachmentsSection } from './attachments.js';
import { announce, badge, errorBox, h, label, replace, when } from './dom.js';
import {
  EVENT_KIND_LABELS, PRIORITY_LABELS, STATUS_LABELS, TYPE_LABELS, loadLabels,
} from './labels.js';
import {
  describeLabelEvent, fieldsSection, loadTicketExtras, macroSection, tagsSection,
} from './macros.js';
import { joinTicket, presenceLine } from './presence.js';
import { loadTriage, triageSection } from './triage.js';

// Drafts kept across the reload a reply collision asks for: ticket id → {body, internal, newer}.
const drafts = new Map();

function reportSection(ticket) {
  const details = [
    ['Steps to reproduce', ticket.steps_to_reproduce],
    ['Expected behavior', ticket.expected_behavior],
    ['Actual behavior', ticket.actual_behavior],
    ['Device', ticket.device_info],
    ['App version', ticket.app_version],
  ].filter(([, value]) => value);
  const screenshots = ticket.screenshot_urls ?? [];
  return h('section', { class: 'card report', 'aria-labelledby': 'report-title' },
    h('h2', { id: 'report-title' }, 'Report as filed'),
    h('p', { class: 'muted' }, 'By ', ticket.requester?.email ?? ticket.requester?.id, ' on ', when(ticket.created_at)),
    h('p', { class: 'body' }, ticket.description),
    details.length ? h('dl', { class: 'details' }, details.map(([name, value]) => [h('dt', {}, name), h('dd', { class: 'body' }, value)])) : null,
    screenshots.length ? h('div', {},
      h('h3', {}, 'Screenshots'),
      h('ul', { class: 'links' }, screenshots.map((url, index) => h('li', {},
        h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, `Screenshot ${index + 1}`),
        h('span', { class: 'muted url' }, ` ${url}`))))) : null,
    ticket.follow_up_of ? h('p', {}, 'Follows up ', h('a', { href: `#/ticket/${ticket.follow_up_of}` }, 'an earlier ticket'), '.') : null,
    // admin_notes is returned to the ticket's owner (get_ticket, a direct read, Realtime): it is
    // framed and labelled as something the user reads, never as internal.
    ticket.admin_notes ? h('div', { class: 'user-visible-block' }, h('h3', {}, 'Admin notes · the user reads them'), h('p', { class: 'body' }, ticket.admin_notes)) : null);
}

function authorOf(message, ticket) {
  if (message.author_kind === 'user') return ticket.requester?.email ?? 'User';
  if (message.author_kind === 'system') return 'System';
  return message.author_name ?? 'Support';
}

function threadSection(ticket) {
  const messages = ticket.messages ?? [];
  return h('section', { class: 'card', 'aria-labelledby': 'thread-title' },
    h('h2', { id: 'thread-title' }, 'Conversation'),
    messages.length === 0 ? h('p', { class: 'muted' }, 'No messages yet.') : h('ol', { class: 'thread' },
      messages.map((message) => h('li', { class: `message ${message.internal ? 'internal' : `public from-${message.author_kind}`}` },
        h('article', { 'aria-label': message.internal ? 'Internal note' : 'Public message' },
          h('header', {},
            h('strong', {}, authorOf(message, ticket)),
            h('span', { class: 'kind' }, message.internal ? 'Internal note · staff only' : (message.author_kind === 'user' ? 'From the user' : 'Reply to the user')),
            when(message.created_at)),
          h('p', { class: 'body' }, message.body))))));
}

// What the agent saw of the thread: the newest public message, or for a thread without one the
// ticket's creation (every message comes after it).
function seenPoint(ticket) {
  const seen = (ticket.messages ?? []).filter((message) => !message.internal).at(-1);
  return seen ? { seen_message_id: seen.message_id } : { seen_at: ticket.created_at };
}

function collisionNotice(ticket, newer) {
  const message = (ticket.messages ?? []).find((candidate) => candidate.message_id === newer?.message_id);
  const who = message ? authorOf(message, ticket) : (newer?.author_kind === 'user' ? 'The user' : 'Someone');
  return h('div', { class: 'error collision', role: 'alert' },
    h('p', { class: 'error-message' }, `${who} replied while you were typing — review before sending.`),
    h('p', { class: 'error-hint' }, 'Your draft is kept below; the conversation above now shows their reply.'));
}

function composer(ticket, context, reload, presence) {
  const draft = drafts.get(ticket.ticket_id);
  drafts.delete(ticket.ticket_id);
  const status = h('div', { class: 'form-status' }, draft?.newer ? collisionNotice(ticket, draft.newer) : null);
  const body = h('textarea', {
    id: 'composer-body', name: 'body', rows: 4, required: true, maxlength: 10000,
    oninput: () => presence?.typing(),
  });
  if (draft) body.value = draft.body;
  const submit = h('button', { type: 'submit' }, 'Send reply');
  const kind = (value, text, checked) => h('label', { class: 'choice' },
    h('input', {
      type: 'radio', name: 'composer-kind', value, checked,
      onchange: () => { submit.textContent = value === 'note' ? 'Add internal note' : 'Send reply'; form.classList.toggle('note', value === 'note'); },
    }), text);
  const form = h('form', {
    class: 'card composer',
    'aria-labelledby': 'composer-title',
    onsubmit: async (event) => {
      event.preventDefault();
      const internal = form.querySelector('input[name="composer-kind"]:checked').value === 'note';
      submit.disabled = true;
      try {
        await context.api.reply({ ticket_id: ticket.ticket_id, body: body.value, internal, ...(internal ? {} : seenPoint(ticket)) });
        announce(internal ? 'Internal note added' : 'Reply sent');
        await reload();
      } catch (error) {
        if (error.isReplyCollision) {
          drafts.set(ticket.ticket_id, { body: body.value, newer: error.newerMessage });
          await reload();
          return;
        }
        replace(status, errorBox(error));
        submit.disabled = false;
      }
    },
  },
  h('h2', { id: 'composer-title' }, 'Reply or note'),
  h('fieldset', { class: 'choices' }, h('legend', {}, 'Kind'),
    kind('reply', 'Public reply (the user sees it)', true),
    kind('note', 'Internal note (staff only)', false)),
  h('label', { for: 'composer-body' }, 'Message'), body,
  h('div', { class: 'actions' }, submit),
  status);
  return form;
}

function controls(ticket, moves, staff, context, reload) {
  const status = h('div', { class: 'form-status' });
  const allowed = moves.filter((move) => move.from_status === ticket.status);
  const statusSelect = h('select', { id: 'control-status', name: 'status' },
    h('option', { value: ticket.status }, `${label(STATUS_LABELS, ticket.status)} (current)`),
    allowed.map((move) => h('option', { value: move.to_status }, label(STATUS_LABELS, move.to_status))));
  const resolution = h('textarea', { id: 'control-resolution', name: 'resolution', rows: 3 }, ticket.resolution ?? '');
  const resolutionNote = h('p', { class: 'muted', id: 'resolution-note' });
  const syncResolution = () => {
    const move = allowed.find((candidate) => candidate.to_status === statusSelect.value);
    const required = Boolean(move?.requires_resolution);
    resolution.required = required;
    resolution.setAttribute('aria-describedby', 'resolution-note');
    resolutionNote.textContent = required ? `Required to move to ${label(STATUS_LABELS, move.to_status)}.` : 'Optional.';
  };
  statusSelect.addEventListener('change', syncResolution);
  const choose = (id, text, options, value) => [
    h('label', { for: id }, text),
    h('select', { id, name: id.replace('control-', '') }, options.map(([optionValue, optionText]) => h('option', { value: optionValue, selected: optionValue === value }, optionText))),
  ];
  const assigneeOptions = [['', 'Unassigned'], ...staff.map((member) => [member.user_id, member.display_name])];

  const save = async (fields) => {
    if (Object.keys(fields).length === 0) {
      announce('Nothing changed');
      return;
    }
    try {
      await context.api.updateTicket({ ticket_id: ticket.ticket_id, expected_updated_at: ticket.updated_at, ...fields });
      announce('Saved');
      await reload();
    } catch (error) {
      const reloadButton = error.isConflict
        ? h('button', { type: 'button', onclick: () => reload() }, 'Reload')
        : null;
      replace(status, error.isConflict
        ? errorBox({ message: 'Changed by someone else — reload to see their change.', hint: error.message }, reloadButton)
        : errorBox(error));
    }
  };

  const form = h('form', {
    class: 'card controls-form',
    'aria-labelledby': 'controls-title',
    onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const fields = {};
      if (data.get('status') !== ticket.status) fields.status = data.get('status');
      if (data.get('priority') !== ticket.priority) fields.priority = data.get('priority');
      if (data.get('type') !== ticket.ticket_type) fields.ticket_type = data.get('type');
      const assignee = data.get('assignee') || null;
      if (assignee !== (ticket.assignee?.id ?? null)) fields.assignee_id = assignee;
      if ((data.get('resolution') || null) !== (ticket.resolution || null)) fields.resolution = data.get('resolution') || null;
      save(fields);
    },
  },
  h('h2', { id: 'controls-title' }, 'Work the ticket'),
  h('label', { for: 'control-status' }, 'Status'), statusSelect,
  h('label', { for: 'control-resolution' }, 'Resolution'), resolution, resolutionNote,
  choose('control-priority', 'Priority', Object.entries(PRIORITY_LABELS), ticket.priority),
  choose('control-type', 'Type', Object.entries(TYPE_LABELS), ticket.ticket_type),
  choose('control-assignee', 'Assignee', assigneeOptions, ticket.assignee?.id ?? ''),
  h('div', { class: 'actions' },
    h('button', { type: 'submit' }, 'Save changes'),
    ticket.assignee?.id === context.user.id ? null : h('button', {
      type: 'button', class: 'secondary', onclick: () => save({ assignee_id: context.user.id }),
    }, 'Assign to me')),
  status);
  syncResolution();
  return form;
}

function describeEvent(event, names) {
  const name = (id) => (id ? names.get(id) ?? 'a former staff member' : 'nobody');
  switch (event.kind) {
    case 'status': return `changed status from ${label(STATUS_LABELS, event.from)} to ${label(STATUS_LABELS, event.to)}`;
    case 'priority': return `changed priority from ${label(PRIORITY_LABELS, event.from)} to ${label(PRIORITY_LABELS, event.to)}`;
    case 'type': return `changed type from ${label(TYPE_LABELS, event.from)} to ${label(TYPE_LABELS, event.to)}`;
    case 'assignee': return `assigned it to ${name(event.to)} (was ${name(event.from)})`;
    case 'rating': return `rated it ${event.to ?? ''}`.trim();
    default: return describeLabelEvent(event) ?? label(EVENT_KIND_LABELS, event.kind);
  }
}

function historySection(ticket, staff) {
  const names = new Map(staff.map((member) => [member.user_id, member.display_name]));
  const actor = (event) => {
    if (event.rule) return `Rule “${event.rule}”`;
    if (event.actor_kind === 'system') return 'System';
    if (event.actor_kind === 'user') return ticket.requester?.email ?? 'User';
    return names.get(event.actor_id) ?? 'Support';
  };
  return h('section', { class: 'card', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, 'History'),
    h('ol', { class: 'timeline' }, (ticket.events ?? []).map((event) => h('li', { class: event.internal ? 'internal' : null },
      when(event.at), ' ', h('strong', {}, actor(event)), ' ', describeEvent(event, names),
      event.internal ? h('span', { class: 'muted' }, ' (internal)') : null))));
}

// What each rule did to this ticket (docs/rules.md): the history shows the changes as
// support's; this names the rule behind them.
function rulesSection(runs) {
  if (!runs.length) return null;
  return h('section', { class: 'card', 'aria-labelledby': 'rules-title' },
    h('h2', { id: 'rules-title' }, 'Rules'),
    h('ol', { class: 'rule-runs' }, runs.map((run) => h('li', {},
      when(run.created_at), ' ', h('strong', {}, run.rule_name), ' ',
      run.refused ? `was refused (${run.refused})`
        : `${run.dry_run ? 'would have done' : 'did'}: ${run.actions.map((action) => `${action.action} ${action.value ?? ''}`.trim()).join('; ')}`))));
}

function ratingSection(ticket) {
  if (ticket.rating === undefined || ticket.rating === null) return null;
  return h('section', { class: 'card', 'aria-labelledby': 'rating-title' },
    h('h2', { id: 'rating-title' }, 'Rating'),
    h('p', {}, `${ticket.rating} of 5`),
    ticket.rating_comment ? h('p', { class: 'body' }, ticket.rating_comment) : null);
}

export async function renderTicket(main, context, ticketId, page) {
  const reload = () => renderTicket(main, context, ticketId, page);
  let ticket, moves, staff, extras, ruleRuns, present, articles;
  const triage = loadTriage(context, ticketId);
  try {
    [ticket, moves, staff, extras, ruleRuns, present, articles] = await Promise.all([
      context.api.ticket(ticketId), context.api.agentMoves(), context.api.staff(),
      loadTicketExtras(context), context.api.ticketRuleRuns(ticketId), joinTicket(context, ticketId),
      context.api.ticketArticles(ticketId),
      loadLabels(context.api),
    ]);
  } catch (error) {
    page('Ticket', h('p', {}, h('a', { href: '#/queue' }, '← Queue')), errorBox(error));
    return;
  }
  const presence = presenceLine(context, ticketId, present);
  page(ticket.subject,
    h('p', { class: 'crumbs' }, h('a', { href: '#/queue' }, '← Queue')),
    presence.element,
    h('div', { class: 'ticket-meta' },
      badge('status', ticket.status, STATUS_LABELS),
      badge('priority', ticket.priority, PRIORITY_LABELS),
      h('span', { class: 'badge type' }, label(TYPE_LABELS, ticket.ticket_type)),
      h('span', {}, 'Requester: ', ticket.requester?.email ?? ticket.requester?.id),
      h('span', {}, 'Assignee: ', ticket.assignee?.display_name ?? 'Unassigned'),
      h('span', {}, 'Updated ', when(ticket.updated_at)),
      ticket.resolution ? h('span', {}, 'Resolution: ', ticket.resolution) : null),
    h('div', { class: 'ticket-layout' },
      h('div', { class: 'column' },
        reportSection(ticket), threadSection(ticket), attachmentsSection(ticket, context),
        macroSection(ticket, extras, context, reload), composer(ticket, context, reload, presence),
        articleSuggestions(articles, context)),
      h('div', { class: 'column side' },
        triageSection(ticket, triage, context, reload),
        controls(ticket, moves, staff, context, reload), tagsSection(ticket, extras, context, reload),
        fieldsSection(ticket, extras, context, reload), ratingSection(ticket), historySection(ticket, staff),
        rulesSection(ruleRuns))));
  document.getElementById('page-title').focus();
}
