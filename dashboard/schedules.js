// Business hours (docs/service-levels.md, "Business hours"): each schedule's time zone, weekly
// hours and dates that differ, which priorities count in it, and a form to declare a holiday.
// Staff read; the database refuses an agent's change (row level security), and the page says so.

import { errorBox, h, replace } from './dom.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function hhmm(time) {
  return time.slice(0, 5);
}

function hours(schedule) {
  return h('table', { class: 'queue schedule-hours' },
    h('caption', {}, `Weekly hours of ${schedule.name}`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Day'), h('th', { scope: 'col' }, 'Open'))),
    h('tbody', {}, WEEKDAYS.map((day, index) => {
      const windows = schedule.business_hours
        .filter((window) => window.weekday === index + 1)
        .sort((a, b) => a.opens.localeCompare(b.opens));
      return h('tr', {},
        h('th', { scope: 'row' }, day),
        h('td', { 'data-label': 'Open' },
          windows.length ? windows.map((window) => `${hhmm(window.opens)}–${hhmm(window.closes)}`).join(', ') : 'Closed'));
    })));
}

function dates(schedule) {
  const list = [...schedule.business_schedule_dates].sort((a, b) => a.day.localeCompare(b.day));
  if (!list.length) return h('p', { class: 'muted' }, 'No holiday or special day.');
  return h('ul', { class: 'schedule-dates' }, list.map((date) => h('li', {},
    h('strong', {}, date.day), ': ',
    date.opens ? `open ${hhmm(date.opens)}–${hhmm(date.closes)}` : 'closed',
    date.note ? ` (${date.note})` : '')));
}

function holidayForm(schedule, context, rerender) {
  const id = `holiday-${schedule.id}`;
  const day = h('input', { id, type: 'date', required: true });
  const note = h('input', { id: `${id}-note`, maxlength: 200 });
  const status = h('div', {});
  return h('form', {
    class: 'filters',
    'aria-label': `Declare a holiday for ${schedule.name}`,
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        await context.api.addScheduleDate({ schedule_id: schedule.id, day: day.value, note: note.value || null });
        rerender();
      } catch (error) {
        replace(status, errorBox(error));
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: id }, 'Holiday'), day),
  h('div', { class: 'field' }, h('label', { for: `${id}-note` }, 'Why'), note),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Declare holiday')),
  status);
}

export async function renderSchedules(main, context, page) {
  const rerender = () => renderSchedules(main, context, page);
  let schedules, policies;
  try {
    [schedules, policies] = await Promise.all([context.api.schedules(), context.api.slaPolicies()]);
  } catch (error) {
    page('Business hours', errorBox(error));
    return;
  }
  const defaultSchedule = schedules.find((schedule) => schedule.is_default);
  const usedBy = (schedule) => policies
    .filter((policy) => (policy.schedule_id ?? defaultSchedule?.id) === schedule.id)
    .map((policy) => policy.priority);
  page('Business hours',
    h('p', { class: 'muted' },
      defaultSchedule
        ? `Service levels count in business hours; priorities without a schedule of their own use ${defaultSchedule.name}.`
        : 'Priorities without a schedule of their own count in calendar time (no default schedule).'),
    schedules.length
      ? schedules.map((schedule) => h('section', { class: 'schedule', 'aria-labelledby': `schedule-${schedule.id}` },
        h('h2', { id: `schedule-${schedule.id}` }, schedule.name, schedule.is_default ? ' (default)' : ''),
        h('p', {}, `Time zone ${schedule.time_zone}. Used by: ${usedBy(schedule).join(', ') || 'no priority'}.`),
        hours(schedule),
        h('h3', {}, 'Holidays and special days'),
        dates(schedule),
        holidayForm(schedule, context, rerender)))
      : h('p', { class: 'empty' }, 'No schedule: every service level counts in calendar time.'));
}
