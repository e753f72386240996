// What people read for the values the API stores: the vocabularies' rows (public.ticket_types,
// public.ticket_priorities, ...), loaded once per page load by one request (the RPC
// vocabulary_labels) that each page sends within its own round of requests. No module spells
// a type, priority, status or category: a value added as a row shows here without a change.
// Each object maps code to label in the vocabulary's order (priorities most urgent first).

export const TYPE_LABELS = {};
export const PRIORITY_LABELS = {};
export const STATUS_LABELS = {};
export const CATEGORY_LABELS = {};
export const FEEDBACK_STATUS_LABELS = {};
export const EVENT_KIND_LABELS = {};
// Not a vocabulary of the database: who list_my_tickets / support_queue say a ticket waits on.
export const WAITING_LABELS = { support: 'Support', user: 'User' };
// Not a vocabulary of the database either: the actions of private.audit_log (its check constraint).
export const AUDIT_ACTION_LABELS = { insert: 'Added', update: 'Changed', delete: 'Removed', truncate: 'Emptied' };

const TARGETS = {
  ticket_types: TYPE_LABELS,
  ticket_priorities: PRIORITY_LABELS,
  ticket_statuses: STATUS_LABELS,
  feedback_categories: CATEGORY_LABELS,
  feedback_statuses: FEEDBACK_STATUS_LABELS,
  ticket_event_kinds: EVENT_KIND_LABELS,
};

let loading = null;

// Resolves when the labels are in; the first call sends the request, later calls share it.
// A failed load is forgotten, so the next page load (or render) asks again.
export function loadLabels(api) {
  if (!loading) {
    loading = api.labels().then((vocabularies) => {
      for (const [name, target] of Object.entries(TARGETS)) {
        for (const row of vocabularies[name] ?? []) target[row.code] = row.label;
      }
    }, (error) => {
      loading = null;
      throw error;
    });
  }
  return loading;
}
