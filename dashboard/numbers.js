// Numbers: how support is doing over a window of days, from one call of support_stats, drawn
// by Chart.js (vendor/chart.js, pinned in package.json). Every chart has its figures beside it
// as a table: the text alternative a screen reader reads and a test checks against the API.
// Admins also see how many notifications could not be delivered (public.dead_notifications,
// counted under its RLS policy: admins only). One round of requests: the numbers, the staff
// list (who is an admin), the count and the auto-triage report (triage-numbers.js), in parallel.

import { errorBox, h, label, when } from './dom.js';
import { figure, percent, table } from './figures.js';
import { PRIORITY_LABELS, STATUS_LABELS, TYPE_LABELS, loadLabels } from './labels.js';
import { triageCard } from './triage-numbers.js';

const WINDOWS = { 7: 'Last 7 days', 30: 'Last 30 days', 90: 'Last 90 days' };
// One color per ticket type, in the vocabulary's order (a type added later takes the next).
const TYPE_PALETTE = ['#b3261e', '#0b5cad', '#1d6b2f', '#6b3fa0', '#6b5a00', '#00696b', '#8c3b00', '#4a4a4a'];
const state = { days: 30 };
let charts = [];

// The first UTC day of a window of `days` days that ends today, as support_stats reads dates.
function windowStart(days, now = new Date()) {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  return start.toISOString().slice(0, 10);
}

function daysOf(since, until) {
  const days = [];
  for (let day = new Date(`${since.slice(0, 10)}T00:00:00Z`); day < new Date(until); day.setUTCDate(day.getUTCDate() + 1)) {
    days.push(day.toISOString().slice(0, 10));
  }
  return days;
}

// A chart's canvas is an image named by its summary; the table after it holds the figures.
function chartCard(id, title, summary, draw, figures) {
  const canvas = h('canvas', { id: `${id}-chart`, role: 'img', 'aria-label': `${title}: ${summary}` });
  return {
    node: h('section', { class: `card chart-card ${id}-card`, 'aria-labelledby': `${id}-title` },
      h('h2', { id: `${id}-title` }, title),
      h('p', { class: 'muted chart-summary' }, summary),
      h('div', { class: 'chart' }, canvas),
      figures),
    draw: () => draw(canvas),
  };
}

function chart(canvas, config) {
  const options = {
    animation: false, responsive: true, maintainAspectRatio: false,
    plugins: { legend: { position: 'bottom' } },
    ...config.options,
  };
  charts.push(new window.Chart(canvas, { ...config, options }));
}

function volumeCard(stats) {
  const days = daysOf(stats.since, stats.until);
  const types = Object.keys(TYPE_LABELS);
  const counts = new Map(stats.tickets_per_day.map((row) => [`${row.day} ${row.ticket_type}`, row.count]));
  const of = (day, type) => counts.get(`${day} ${type}`) ?? 0;
  const totals = Object.fromEntries(types.map((type) => [type, days.reduce((sum, day) => sum + of(day, type), 0)]));
  const total = Object.values(totals).reduce((sum, n) => sum + n, 0);
  const summary = `${total} tickets filed: ${types.map((type) => `${totals[type]} ${label(TYPE_LABELS, type).toLowerCase()}`).join(', ')}.`;
  const activeDays = days.filter((day) => types.some((type) => of(day, type) > 0));
  return chartCard('volume', 'Tickets per day, by type', summary, (canvas) => chart(canvas, {
    type: 'bar',
    data: {
      labels: days,
      datasets: types.map((type, index) => ({
        label: label(TYPE_LABELS, type), data: days.map((day) => of(day, type)),
        backgroundColor: TYPE_PALETTE[index % TYPE_PALETTE.length],
      })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  }), table('Tickets filed per day (days with tickets)', ['Day', ...types.map((type) => label(TYPE_LABELS, type)), 'All'],
    [...activeDays.map((day) => [day, ...types.map((type) => of(day, type)), types.reduce((sum, type) => sum + of(day, type), 0)]),
      ['Total', ...types.map((type) => totals[type]), total]], 'volume-figures'));
}

function timesCard(stats) {
  const hours = (minutes) => (minutes === null ? null : Math.round(minutes / 6) / 10);
  const parts = [['First response', stats.first_response], ['Resolution', stats.resolution]];
  const summary = parts.map(([name, part]) => `${name}: ${part.count} tickets, median ${figure(part.median_minutes)} min, 90th percentile ${figure(part.p90_minutes)} min.`).join(' ');
  return chartCard('times', 'First response and resolution times', summary, (canvas) => chart(canvas, {
    type: 'bar',
    data: {
      labels: parts.map(([name]) => name),
      datasets: [
        { label: 'Median (hours)', data: parts.map(([, part]) => hours(part.median_minutes)), backgroundColor: '#0b5cad' },
        { label: '90th percentile (hours)', data: parts.map(([, part]) => hours(part.p90_minutes)), backgroundColor: '#9a4a00' },
      ],
    },
    options: { indexAxis: 'y', scales: { x: { beginAtZero: true, title: { display: true, text: 'hours (calendar time)' } } } },
  }), table('Minutes from filing (calendar time)', ['', 'Tickets', 'Median (min)', '90th percentile (min)'],
    parts.map(([name, part]) => [name, part.count, figure(part.median_minutes), figure(part.p90_minutes)]), 'times-figures'));
}

function slaCard(stats) {
  const { tickets, breached, breach_rate: rate } = stats.sla;
  const summary = `${breached} of ${tickets} tickets missed a target: breach rate ${percent(rate)}.`;
  return chartCard('sla', 'Service levels', summary, (canvas) => chart(canvas, {
    type: 'doughnut',
    data: {
      labels: ['Met (so far)', 'Breached'],
      datasets: [{ data: [tickets - breached, breached], backgroundColor: ['#1d6b2f', '#b3261e'] }],
    },
  }), table('Tickets filed in the window (merged ones left out)', ['', 'Tickets'],
    [['Filed', tickets], ['Breached', breached], ['Breach rate', percent(rate)]], 'sla-figures'));
}

function csatCard(stats) {
  const { count, average } = stats.csat;
  const summary = count ? `${count} ratings, ${figure(average)} of 5 on average.` : 'No ratings in this window.';
  return chartCard('csat', 'Satisfaction (CSAT)', summary, (canvas) => chart(canvas, {
    type: 'bar',
    data: { labels: ['Average rating'], datasets: [{ label: 'Average of 5', data: [average], backgroundColor: '#6b3fa0' }] },
    options: { indexAxis: 'y', scales: { x: { min: 0, max: 5 } }, plugins: { legend: { display: false } } },
  }), table('Ratings given in the window', ['', 'Value'], [['Ratings', count], ['Average (of 5)', figure(average)]], 'csat-figures'));
}

function backlogCard(stats) {
  const { by_status: byStatus, by_priority: byPriority } = stats.backlog;
  const priorities = Object.keys(PRIORITY_LABELS);
  const open = Object.values(byStatus).reduce((sum, n) => sum + n, 0);
  const summary = `${open} tickets open now: ${Object.entries(byStatus).map(([status, n]) => `${n} ${label(STATUS_LABELS, status).toLowerCase()}`).join(', ')}; `
    + `${priorities.map((priority) => `${byPriority[priority]} ${priority}`).join(', ')}.`;
  return chartCard('backlog', 'Backlog now', summary, (canvas) => chart(canvas, {
    type: 'bar',
    data: {
      labels: priorities.map((priority) => label(PRIORITY_LABELS, priority)),
      datasets: [{ label: 'Open or in progress', data: priorities.map((priority) => byPriority[priority]), backgroundColor: '#0b5cad' }],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } },
  }), [
    table('By status', ['Status', 'Tickets'], Object.entries(byStatus).map(([status, n]) => [label(STATUS_LABELS, status), n]), 'backlog-status-figures'),
    table('By priority', ['Priority', 'Tickets'], priorities.map((priority) => [label(PRIORITY_LABELS, priority), byPriority[priority]]), 'backlog-priority-figures'),
  ]);
}

function deadCard(dead) {
  return h('section', { class: 'card dead', 'aria-labelledby': 'dead-title' },
    h('h2', { id: 'dead-title' }, 'Undelivered notifications'),
    h('p', { class: 'dead-count' }, dead === 1 ? '1 notification could not be delivered.' : `${dead} notifications could not be delivered.`),
    h('p', {}, 'Each is a row of ', h('code', {}, 'public.dead_notifications'),
      ' with its channel, attempts and the last error (Studio\'s table editor lists them). Once the cause is fixed '
      + '(mail settings, a webhook endpoint), put one back in the queue: the same event is sent again, with the same '
      + 'email Message-ID and webhook-id, so receivers can drop a repeat.'),
    h('pre', {}, h('code', {}, 'select public.retry_dead_notification(\'<id>\');\n-- or: POST /rest/v1/rpc/retry_dead_notification {"id": <id>}')),
    h('p', { class: 'muted' }, 'Admins only. See docs/notifications.md, "The worker".'));
}

function windowChooser(main, context, page) {
  return h('div', { class: 'field window' },
    h('label', { for: 'numbers-window' }, 'Window'),
    h('select', {
      id: 'numbers-window',
      onchange: (event) => { state.days = Number(event.target.value); renderNumbers(main, context, page); },
    }, Object.entries(WINDOWS).map(([days, text]) => h('option', { value: days, selected: Number(days) === state.days }, text))));
}

export async function renderNumbers(main, context, page) {
  for (const old of charts) old.destroy();
  charts = [];
  const since = windowStart(state.days);
  let stats, staff, dead, triage;
  try {
    [stats, staff, dead, triage] = await Promise.all([
      context.api.stats({ since }), context.api.staff(), context.api.deadNotifications(),
      context.api.triageReport({ days: state.days }), loadLabels(context.api),
    ]);
  } catch (error) {
    page('Numbers', errorBox(error));
    return;
  }
  const isAdmin = staff.some((member) => member.user_id === context.user.id && member.role === 'admin');
  const cards = [volumeCard(stats), timesCard(stats), slaCard(stats), csatCard(stats), backlogCard(stats)];
  page('Numbers',
    h('div', { class: 'numbers-head' },
      windowChooser(main, context, page),
      h('p', { class: 'muted', id: 'numbers-window-text' }, 'From ', when(stats.since), ' to ', when(stats.until),
        ' (UTC days; times are calendar time, waiting on the user included).')),
    isAdmin ? deadCard(dead) : null,
    h('div', { class: 'numbers' }, cards.map((card) => card.node)),
    triageCard(triage));
  for (const card of cards) card.draw();
}
