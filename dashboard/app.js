// The dashboard's entry: signs in, then routes #/queue, #/ticket/<id>, #/feedback, #/board, #/numbers,
// #/setup, #/rules, #/schedules, #/articles and #/audit to their pages.
// Routes live in the fragment, so no ticket id or search term reaches a server log.

import { createApi } from './api.js';
import { renderArticles } from './articles.js';
import { renderAudit } from './audit.js';
import { renderBoard } from './board.js';
import { h, replace } from './dom.js';
import { renderFeedback } from './feedback.js';
import { renderNumbers } from './numbers.js';
import { renderQueue, stopQueue } from './queue.js';
import { renderRules } from './rules.js';
import { renderSchedules } from './schedules.js';
import { readConfig, startSession } from './session.js';
import { renderSetup } from './setup.js';
import { renderTicket } from './ticket.js';

const main = document.getElementById('main');

function page(title, ...content) {
  document.title = `${title} · Support dashboard`;
  replace(main, h('h1', { id: 'page-title', tabindex: '-1' }, title), ...content);
}

function showMissingConfig() {
  page('Not configured',
    h('p', {}, 'Create config.js beside index.html from config.example.js: the project URL and anon key.'));
}

function showLocalSignIn() {
  page('Sign in',
    h('p', {}, 'Open one of the sign-in links that `make dev` printed (demo agent or admin).'),
    h('p', { class: 'muted' },
      'They work only against this local stack: the token is signed with its development secret.'));
}

function showHostedSignIn(client) {
  const status = h('div', { role: 'status', class: 'form-status' });
  const email = h('input', { id: 'signin-email', type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'signin-password', type: 'password', name: 'password', autocomplete: 'current-password' });
  const fail = (error) => replace(status, h('p', { class: 'error', role: 'alert' }, error.message));
  const form = h('form', {
    class: 'signin',
    onsubmit: async (event) => {
      event.preventDefault();
      const { error } = await client.auth.signInWithPassword({ email: email.value, password: password.value });
      if (error) fail(error); else location.reload();
    },
  },
  h('label', { for: 'signin-email' }, 'Email'), email,
  h('label', { for: 'signin-password' }, 'Password'), password,
  h('div', { class: 'actions' },
    h('button', { type: 'submit' }, 'Sign in'),
    h('button', {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        if (!email.reportValidity()) return;
        const redirect = `${location.origin}${location.pathname}`;
        const { error } = await client.auth.signInWithOtp({ email: email.value, options: { emailRedirectTo: redirect, shouldCreateUser: false } });
        if (error) fail(error); else replace(status, h('p', {}, 'Check your inbox for the sign-in link.'));
      },
    }, 'Email me a magic link')),
  status);
  page('Sign in', form);
  client.auth.onAuthStateChange((event) => { if (event === 'SIGNED_IN') location.reload(); });
}

function showWho(session) {
  const who = document.getElementById('who');
  replace(who,
    h('span', { class: 'who-email' }, session.user.email),
    h('button', {
      type: 'button',
      class: 'link',
      onclick: async () => { await session.signOut(); location.hash = '#/queue'; location.reload(); },
    }, 'Sign out'));
  document.getElementById('main-nav').hidden = false;
}

function markNav(current) {
  for (const name of ['queue', 'feedback', 'board', 'numbers', 'setup', 'rules', 'schedules', 'articles', 'audit']) {
    const link = document.getElementById(`nav-${name}`);
    if (name === current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function route(context) {
  const hash = location.hash || '#/queue';
  const ticket = hash.match(/^#\/ticket\/([^/?#]+)/);
  const other = {
    '#/feedback': renderFeedback, '#/board': renderBoard, '#/numbers': renderNumbers, '#/setup': renderSetup,
    '#/rules': renderRules, '#/schedules': renderSchedules, '#/articles': renderArticles,
    '#/audit': renderAudit,
  }[hash];
  if (ticket || other) stopQueue();
  if (ticket) {
    markNav(null);
    renderTicket(main, context, decodeURIComponent(ticket[1]), page);
  } else if (other) {
    markNav(hash.slice(2));
    other(main, context, page);
  } else {
    markNav('queue');
    renderQueue(main, context, page);
  }
}

async function boot() {
  // A sign-in link opened in a tab that already shows the dashboard starts over with its token.
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#access_token=')) location.reload();
  });
  const config = readConfig();
  if (!config) return showMissingConfig();
  const session = await startSession(config);
  if (session.signIn === 'local') return showLocalSignIn();
  if (session.signIn === 'hosted') return showHostedSignIn(session.client);
  showWho(session);
  // The Flask layer's routes (the CSV exports): config.apiUrl, else /api beside /rest/v1, as on
  // the local gateway.
  const http = {
    apiUrl: config.apiUrl ?? `${config.supabaseUrl.replace(/\/$/, '')}/api`,
    accessToken: session.accessToken,
  };
  const context = { api: createApi(session.client, http), user: session.user, config };
  window.addEventListener('hashchange', () => route(context));
  route(context);
}

boot();
