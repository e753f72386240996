// Who else is on a ticket: one interface over presence, whatever carries it.
//
//   const first = joinTicket(context, ticketId);       // in the page's one round of requests
//   const presence = presenceLine(context, ticketId, await first);
//   presence.element  → "Other Agent is typing" (a polite live region)
//   presence.typing() → call on every keystroke of the composer; throttled here
//
// Locally there is no Realtime server, so the transport is a heartbeat: support_presence
// ({ticket_id, state}) every 10 s and when the agent types, which records the caller and answers
// the other staff seen in the last 30 s. On a hosted project, Supabase Realtime Presence can
// carry the same states instead (a channel per ticket, `track({state})` and the `sync` event);
// only this module changes, the ticket page keeps calling joinTicket, presenceLine and typing
// (docs/bulk-and-collisions.md). The loop ends by itself once its line leaves the page.

import { h, replace } from './dom.js';

const HEARTBEAT_MS = 10000;
const TYPING_EVERY_MS = 4000;

// The first heartbeat, as a request of the page's round; presence failing never breaks the page.
export function joinTicket(context, ticketId) {
  return context.api.presence({ ticket_id: ticketId, state: 'viewing' }).catch(() => null);
}

function describe(others) {
  if (!others?.length) return '';
  return others.map((other) => `${other.name ?? other.email} is ${other.state === 'typing' ? 'typing' : 'viewing'}`).join(' · ');
}

export function presenceLine(context, ticketId, first) {
  const element = h('p', { class: 'presence', role: 'status', 'aria-live': 'polite' });
  let lastTyping = 0;
  let timer = null;
  const show = (answer) => {
    if (answer) replace(element, describe(answer.others));
  };
  const beat = async (state) => {
    if (!element.isConnected) {
      clearInterval(timer);
      return;
    }
    try {
      show(await context.api.presence({ ticket_id: ticketId, state }));
    } catch {
      // A missed heartbeat only ages the others' view of us; the next one catches up.
    }
  };
  show(first);
  timer = setInterval(() => beat('viewing'), HEARTBEAT_MS);
  return {
    element,
    typing() {
      const now = Date.now();
      if (now - lastTyping < TYPING_EVERY_MS) return;
      lastTyping = now;
      beat('typing');
    },
    stop() {
      clearInterval(timer);
    },
  };
}
