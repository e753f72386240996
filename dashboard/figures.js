// How the dashboard shows a figure, on every page: as the API gives it (a missing one is "—"),
// a rate as a percentage with one decimal, and a table of figures as the text alternative a
// screen reader reads beside each chart (and a test checks against the API).

import { h } from './dom.js';

export function figure(value) {
  return value === null || value === undefined ? '—' : String(value);
}

// A rate or a confidence between 0 and 1 (PostgREST may send a numeric as a string).
export function percent(rate) {
  return rate === null || rate === undefined ? '—' : `${(Number(rate) * 100).toFixed(1)} %`;
}

// In a focusable region: a wide table scrolls sideways on a phone, by keyboard too.
export function table(caption, head, rows, id) {
  return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption }, h('table', { class: 'figures', id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, rows.map(([first, ...cells]) => h('tr', {},
      h('th', { scope: 'row' }, first), cells.map((cell) => h('td', {}, cell)))))));
}
