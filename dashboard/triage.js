// Auto-triage on the ticket page: the model's suggestions (type, priority) with their
// confidence and model version, and the open reports and known problems that look like the same
// thing. Each decision is one action: accept a suggestion, override it with another value, or
// link the ticket to a problem. The database decides everything: in shadow mode
// support_suggestions answers none (and this shows none), a second decision is refused, and
// every refusal is shown as the database worded it. Its requests go out with the ticket's; the
// page never waits for them.

import { announce, errorBox, h, label, replace, when } from './dom.js';
import { percent } from './figures.js';
import { PRIORITY_LABELS, STATUS_LABELS, TYPE_LABELS } from './labels.js';

const FIELDS = {
  ticket_type: { name: 'Type', labels: TYPE_LABELS },
  priority: { name: 'Priority', labels: PRIORITY_LABELS },
};

export function decided(suggestion, labels) {
  const { decision } = suggestion;
  const verb = decision.accepted ? 'Accepted' : `Overridden with ${label(labels, decision.chosen_value)}`;
  return h('p', { class: 'triage-decision' }, verb, ' · ', when(decision.decided_at));
}

function suggestionItem(suggestion, context, reload, status) {
  const field = FIELDS[suggestion.field];
  if (!field) return null;
  const decide = async (body, done) => {
    try {
      await context.api.decideSuggestion({
        suggestion_id: suggestion.suggestion_id, apply: true, ...body,
      });
      announce(done);
      await reload();
    } catch (error) {
      replace(status, errorBox(error));
    }
  };
  const selectId = `triage-override-${suggestion.field}`;
  const others = Object.entries(field.labels).filter(([value]) => value !== suggestion.value);
  const other = h('select', { id: selectId }, others.map(([value, text]) => h('option', { value }, text)));
  return h('li', { class: 'triage-suggestion', 'data-field': suggestion.field },
    h('p', {},
      h('strong', {}, `${field.name}: ${label(field.labels, suggestion.value)}`),
      ' ', h('span', { class: 'triage-confidence' }, `${percent(suggestion.confidence)} confident`),
      h('br'),
      h('span', { class: 'muted' },
        `The user chose ${label(field.labels, suggestion.current_value)} · model ${suggestion.model_version}`)),
    suggestion.decision ? decided(suggestion, field.labels) : h('div', { class: 'triage-actions' },
      h('button', {
        type: 'button',
        'aria-label': `Accept ${field.name.toLowerCase()} ${label(field.labels, suggestion.value)}`,
        onclick: () => decide({}, `${field.name} set to ${label(field.labels, suggestion.value)}`),
      }, 'Accept'),
      h('label', { for: selectId, class: 'visually-hidden' }, `Other ${field.name.toLowerCase()}`),
      other,
      h('button', {
        type: 'button',
        class: 'secondary',
        'aria-label': `Override ${field.name.toLowerCase()}`,
        onclick: () => decide({ value: other.value }, `${field.name} set to ${label(field.labels, other.value)}`),
      }, 'Override')));
}

function similarItem(match, ticket, context, status) {
  const result = h('span', { class: 'triage-linked', role: 'status' });
  const kind = match.is_problem
    ? `Known problem · ${match.reports} report${match.reports === 1 ? '' : 's'}`
    : 'Open report';
  return h('li', { class: 'triage-similar' },
    h('a', { href: `#/ticket/${match.ticket_id}` }, match.subject),
    h('span', { class: 'muted' }, ` ${kind} · ${label(STATUS_LABELS, match.status)} · score ${Number(match.score).toFixed(2)}`),
    h('div', { class: 'triage-actions' },
      h('button', {
        type: 'button',
        class: 'secondary',
        'aria-label': `Link to this problem: ${match.subject}`,
        onclick: async (event) => {
          event.target.disabled = true;
          try {
            const linked = await context.api.linkProblem({
              ticket_id: ticket.ticket_id, problem_id: match.ticket_id,
            });
            result.textContent = `Linked: the problem has ${linked.reports} report${linked.reports === 1 ? '' : 's'}.`;
            announce('Linked to the problem');
          } catch (error) {
            event.target.disabled = false;
            replace(status, errorBox(error));
          }
        },
      }, 'Link to this problem'),
      result));
}

// The section's two requests, sent in the same round as the ticket's own (ticket.js).
export function loadTriage(context, ticketId) {
  const answers = Promise.all([
    context.api.suggestions(ticketId),
    context.api.similarTickets(ticketId),
  ]);
  answers.catch(() => {}); // shown by triageSection; unhandled only if the ticket failed too
  return answers;
}

// The section, hidden until the answers are in. Nothing is shown when there is nothing to
// decide (shadow mode, no suggestion yet, nothing similar).
export function triageSection(ticket, loaded, context, reload) {
  const section = h('section', { class: 'card triage', 'aria-labelledby': 'triage-title', hidden: true });
  loaded.then(([suggested, similar]) => {
    const status = h('div', { class: 'form-status' });
    const suggestions = suggested.suggestions
      .map((suggestion) => suggestionItem(suggestion, context, reload, status))
      .filter(Boolean);
    const matches = similar.similar;
    if (suggestions.length === 0 && matches.length === 0) return;
    replace(section,
      h('h2', { id: 'triage-title' }, 'Triage'),
      suggestions.length ? [
        h('h3', {}, 'Suggested'),
        h('ul', { class: 'triage-list' }, suggestions)] : null,
      matches.length ? [
        h('h3', {}, 'Likely duplicates and known problems'),
        h('ul', { class: 'triage-list' }, matches.map((match) => similarItem(match, ticket, context, status)))] : null,
      status);
    section.hidden = false;
  }, (error) => {
    replace(section, h('h2', { id: 'triage-title' }, 'Triage'), errorBox(error));
    section.hidden = false;
  });
  return section;
}
