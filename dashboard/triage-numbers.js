// Auto-triage on the Numbers page: how often staff accepted each kind of suggestion and what the
// latest training run measured on the labels it held out, as support_triage_report answers for
// the page's window (its days end now, where the other cards count whole UTC days). Tables
// only: the figures are the report's, and a test checks them against the API. Shadow mode is
// stated, since then nobody decides and the agreement with the user's own choice is the measure.

import { h, when } from './dom.js';
import { percent, table } from './figures.js';

const KINDS = { ticket_type: 'Ticket type', priority: 'Priority', category: 'Feedback category' };

export function triageCard(report) {
  const kinds = report.kinds.map((kind) => [KINDS[kind.field] ?? kind.field, kind.suggestions, kind.decided,
    kind.accepted, percent(kind.acceptance_rate), percent(kind.agreement_rate)]);
  const runs = report.model.map((run) => [KINDS[run.field] ?? run.field, run.model_version, when(run.trained_at),
    run.examples, run.staff_labels, run.held_out, percent(run.held_out_accuracy)]);
  return h('section', { class: 'card triage-numbers', 'aria-labelledby': 'triage-numbers-title' },
    h('h2', { id: 'triage-numbers-title' }, 'Auto-triage'),
    h('p', { class: 'triage-shadow', id: 'triage-shadow' }, report.shadow_mode
      ? 'Shadow mode is on: suggestions are computed and stored, shown to nobody, so none is decided; '
        + 'the agreement with what the user chose measures the model.'
      : 'Shadow mode is off: staff are shown each suggestion and accept or override it.'),
    table(`Suggestions made in the last ${report.days} days`,
      ['Kind', 'Suggested', 'Decided', 'Accepted', 'Accepted share', 'Agreement'], kinds, 'triage-kinds-figures'),
    runs.length
      ? table('Latest training run, on held-out labels',
        ['Kind', 'Model version', 'Trained', 'Examples', 'Staff labels', 'Held out', 'Held-out accuracy'], runs, 'triage-model-figures')
      : h('p', { class: 'muted', id: 'triage-model-figures' }, 'No training run yet.'),
    h('p', { class: 'muted' }, 'Accepted share: of the suggestions staff decided. Agreement: of all, the share '
      + 'equal to the item\'s field now (docs/triage.md).'));
}
