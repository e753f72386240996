// Auto-triage on the feedback board: each entry's suggested category, with its confidence and
// model version, beside the category the person chose. Accept and Override are one action each
// (support_decide_suggestion, never applied: a feedback category stays as the user chose; the
// decision is the label the model learns from). The suggestions of the whole page come from one
// request, support_feedback_suggestions with the queue's own parameters, sent in the same round
// as the queue (feedback.js). In shadow mode it answers none and nothing is shown.

import { announce, errorBox, h, label, replace } from './dom.js';
import { percent } from './figures.js';
import { decided } from './triage.js';

// The page's suggestions by feedback id; a refusal is kept to be shown, not thrown: the board
// itself does not depend on them.
export function loadCategorySuggestions(context, params) {
  return context.api.feedbackSuggestions(params).then(
    (answer) => ({ byEntry: new Map(answer.suggestions.map((suggestion) => [suggestion.feedback_id, suggestion])) }),
    (error) => ({ byEntry: new Map(), error }),
  );
}

export function categorySuggestion(entry, suggestion, labels, context, reload) {
  if (!suggestion) return null;
  const status = h('div', { class: 'form-status' });
  const suggested = label(labels, suggestion.value);
  const decide = async (body, done) => {
    try {
      await context.api.decideSuggestion({ suggestion_id: suggestion.suggestion_id, ...body });
      announce(done);
      await reload();
    } catch (error) {
      replace(status, errorBox(error));
    }
  };
  const selectId = `fb-${entry.feedback_id}-suggested-other`;
  const other = h('select', { id: selectId },
    Object.entries(labels).filter(([value]) => value !== suggestion.value).map(([value, text]) => h('option', { value }, text)));
  return h('div', { class: 'triage-suggestion feedback-suggestion', 'data-field': 'category' },
    h('p', {},
      h('strong', {}, `Suggested category: ${suggested}`),
      ' ', h('span', { class: 'triage-confidence' }, `${percent(suggestion.confidence)} confident`),
      ' ', h('span', { class: 'muted' }, `· model ${suggestion.model_version}`)),
    suggestion.decision ? decided(suggestion, labels) : h('div', { class: 'triage-actions' },
      h('button', {
        type: 'button',
        onclick: () => decide({}, `Category ${suggested} accepted`),
      }, `Accept ${suggested}`),
      h('label', { for: selectId, class: 'visually-hidden' }, 'Other category'),
      other,
      h('button', {
        type: 'button',
        class: 'secondary',
        onclick: () => decide({ value: other.value }, `Category ${label(labels, other.value)} recorded`),
      }, 'Override')),
    status);
}
