// The feedback board: users' feedback grouped by the feature it names, with each feature's count
// and average rating (support_feedback_queue computes them over the filters), and per entry a
// status change and a response (support_review_feedback). The moves offered are the rows of
// public.feedback_transitions an agent can make by hand; the database refuses any other.
// One round of requests renders it: the feedback queue, the moves and the page's category
// suggestions (feedback-triage.js), in parallel.

import { announce, badge, errorBox, h, label, replace, when } from './dom.js';
import { CATEGORY_LABELS, FEEDBACK_STATUS_LABELS, loadLabels } from './labels.js';
import { categorySuggestion, loadCategorySuggestions } from './feedback-triage.js';

const PAGE_SIZE = 100;
const state = { status: '', category: '' };

function excerpt(text, length = 60) {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

function reviewForm(entry, moves, others, context, reload) {
  const id = `fb-${entry.feedback_id}`;
  const status = h('div', { class: 'form-status' });
  const allowed = moves.filter((move) => move.from_status === entry.status);
  const statusSelect = h('select', { id: `${id}-status`, name: 'status' },
    h('option', { value: entry.status }, `${label(FEEDBACK_STATUS_LABELS, entry.status)} (current)`),
    allowed.map((move) => h('option', { value: move.to_status }, label(FEEDBACK_STATUS_LABELS, move.to_status))));
  const duplicateField = h('div', { hidden: true },
    h('label', { for: `${id}-duplicate` }, 'Duplicate of'),
    h('select', { id: `${id}-duplicate`, name: 'duplicate_of' },
      others.map((other) => h('option', { value: other.feedback_id }, excerpt(other.description)))));
  statusSelect.addEventListener('change', () => { duplicateField.hidden = statusSelect.value !== 'duplicate'; });
  const response = h('textarea', {
    id: `${id}-response`, name: 'admin_response', rows: 2, maxlength: 5000, 'aria-describedby': `${id}-response-note`,
  }, entry.admin_response ?? '');
  const form = h('form', {
    class: 'review',
    'aria-label': `Review: ${excerpt(entry.description)}`,
    onsubmit: async (event) => {
      event.preventDefault();
      const body = { feedback_id: entry.feedback_id };
      if (statusSelect.value !== entry.status) body.status = statusSelect.value;
      if (body.status === 'duplicate') body.duplicate_of = form.elements.duplicate_of.value;
      if ((response.value || null) !== (entry.admin_response || null)) body.admin_response = response.value;
      if (Object.keys(body).length === 1) {
        announce('Nothing changed');
        return;
      }
      try {
        await context.api.reviewFeedback(body);
        announce('Saved');
        await reload();
      } catch (error) {
        replace(status, errorBox(error));
      }
    },
  },
  h('div', { class: 'review-fields' },
    h('div', {}, h('label', { for: `${id}-status` }, 'Status'), statusSelect),
    duplicateField,
    h('div', { class: 'grow' }, h('label', { for: `${id}-response` }, 'Response to this person only'), response,
      h('p', { class: 'muted', id: `${id}-response-note` },
        'Only the person who wrote this entry reads it. When a feature ships, the other entries of that feature keep their own response, or get the standard shipped text.'))),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save')),
  status);
  return form;
}

function entryItem(entry, moves, entries, context, reload, suggestions) {
  const others = entries.filter((other) => other.feedback_id !== entry.feedback_id);
  return h('li', { class: 'feedback-entry', 'data-id': entry.feedback_id },
    h('div', { class: 'entry-meta' },
      badge('fstatus', entry.status, FEEDBACK_STATUS_LABELS),
      h('span', { class: 'badge type' }, label(CATEGORY_LABELS, entry.category)),
      entry.rating ? h('span', {}, `Rating ${entry.rating} of 5`) : h('span', { class: 'muted' }, 'No rating'),
      entry.would_recommend === null ? null : h('span', {}, entry.would_recommend ? 'Would recommend' : 'Would not recommend'),
      when(entry.created_at)),
    h('p', { class: 'body' }, entry.description),
    categorySuggestion(entry, suggestions.get(entry.feedback_id), CATEGORY_LABELS, context, reload),
    reviewForm(entry, moves, others, context, reload));
}

function groupSection(slug, title, summary, entries, allEntries, moves, context, reload, suggestions) {
  return h('section', { class: 'card feedback-group', 'aria-labelledby': slug },
    h('h2', { id: slug }, title),
    h('p', { class: 'group-summary' }, summary),
    entries.length === 0
      ? h('p', { class: 'muted' }, 'Its entries are beyond this page.')
      : h('ol', { class: 'feedback-entries' }, entries.map((entry) => entryItem(entry, moves, allEntries, context, reload, suggestions))));
}

function filterBar(main, context, page) {
  const choose = (id, text, labels, key) => h('div', { class: 'field' },
    h('label', { for: id }, text),
    h('select', {
      id,
      onchange: (event) => { state[key] = event.target.value; renderFeedback(main, context, page); },
    }, [['', 'Any'], ...Object.entries(labels)].map(([value, name]) => h('option', { value, selected: value === state[key] }, name))));
  return h('form', { class: 'filters feedback-filters', onsubmit: (event) => event.preventDefault() },
    choose('feedback-status', 'Status', FEEDBACK_STATUS_LABELS, 'status'),
    choose('feedback-category', 'Category', CATEGORY_LABELS, 'category'));
}

export async function renderFeedback(main, context, page) {
  const reload = () => renderFeedback(main, context, page);
  const params = { status: state.status, category: state.category, limit: String(PAGE_SIZE) };
  let answer, moves, suggested;
  try {
    [answer, moves, suggested] = await Promise.all([
      context.api.feedbackQueue(params), context.api.feedbackMoves(), loadCategorySuggestions(context, params),
      loadLabels(context.api),
    ]);
  } catch (error) {
    page('Feedback', filterBar(main, context, page), errorBox(error));
    return;
  }
  const entries = answer.feedback;
  const groups = answer.features.map((feature, index) => groupSection(
    `group-${index}`, feature.feature_name,
    `${feature.count} ${feature.count === 1 ? 'entry' : 'entries'} · average rating ${feature.average_rating ?? '—'}`,
    entries.filter((entry) => entry.feature_name === feature.feature_name), entries, moves, context, reload,
    suggested.byEntry));
  const unnamed = entries.filter((entry) => entry.feature_name === null);
  if (unnamed.length) {
    groups.push(groupSection('group-unnamed', 'No feature named', `${unnamed.length} on this page`, unnamed, entries, moves, context, reload, suggested.byEntry));
  }
  page('Feedback',
    filterBar(main, context, page),
    h('p', { class: 'summary' }, `${answer.total} ${answer.total === 1 ? 'entry' : 'entries'}`,
      answer.total > entries.length ? `, the newest ${entries.length} shown` : '',
      '. Grouped by the feature they name, most asked first; counts and averages are over every entry that matches.'),
    suggested.error ? errorBox(suggested.error) : null,
    groups.length ? groups : h('p', { class: 'empty' }, 'No feedback matches.'));
}
