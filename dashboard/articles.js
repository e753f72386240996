// Help center for staff (docs/help-center.md): the articles that may answer a ticket, linked
// into a reply in a click, and the articles page (#/articles: list, edit with the database's
// preview, publish, history). Who may publish is the database's rule (help_settings); a
// refused move shows the database's message.

import { errorBox, h, replace, when } from './dom.js';

const STATUS_WORDS = { draft: 'Draft', published: 'Published', archived: 'Archived' };

// Where readers find the help center: the one config.js names (helpCenterUrl, on a hosted
// project where the Flask layer answers elsewhere), else /help/ of the gateway that serves the
// dashboard (the local stack). Always with a trailing slash.
export function helpCenterUrl(context) {
  return (context.config.helpCenterUrl ?? `${location.origin}/help/`).replace(/\/?$/, '/');
}

// Where readers open an article (support_api/help_pages.py: /help/articles/<slug>?lang=<locale>).
export function articleUrl(context, article) {
  return `${helpCenterUrl(context)}articles/${encodeURIComponent(article.slug)}?lang=${encodeURIComponent(article.locale)}`;
}

// The ticket page's suggestions: each article with "Insert link", which adds a Markdown link
// to the reply being written (the composer's textarea) and moves the focus there.
export function articleSuggestions(articles, context) {
  return h('section', { class: 'card', 'aria-labelledby': 'articles-title' },
    h('h2', { id: 'articles-title' }, 'Help articles'),
    articles.length
      ? h('ul', { class: 'article-suggestions' }, articles.map((article) => h('li', {},
        h('a', { href: articleUrl(context, article), target: '_blank', rel: 'noopener' }, article.title),
        ' ',
        h('button', {
          type: 'button',
          class: 'secondary small',
          'aria-label': `Insert link to “${article.title}” in the reply`,
          onclick: () => {
            const body = document.getElementById('composer-body');
            const link = `[${article.title}](${articleUrl(context, article)})`;
            body.value = body.value ? `${body.value.replace(/\s*$/, '')}\n\n${link}` : link;
            body.focus();
          },
        }, 'Insert link'))))
      : h('p', { class: 'muted' }, 'No published article matches this ticket.'));
}

function statusBadge(status) {
  return h('span', { class: `badge article-${status}` }, STATUS_WORDS[status] ?? status);
}

function editor(article, locales, context, rerender) {
  const fresh = !article.id;
  const field = (id, text, input) => h('div', { class: 'field' }, h('label', { for: id }, text), input);
  const title = h('input', { id: 'article-title', required: true, maxlength: 150, value: article.title ?? '' });
  const slug = h('input', { id: 'article-slug', required: true, maxlength: 80, value: article.slug ?? '' });
  const category = h('input', { id: 'article-category', required: true, maxlength: 40, value: article.category ?? 'general' });
  const locale = h('select', { id: 'article-locale' }, locales.map((l) => h('option', {
    value: l.code, selected: l.code === (article.locale ?? locales.find((x) => x.is_default)?.code),
  }, `${l.label} (${l.code})`)));
  const body = h('textarea', { id: 'article-body', rows: 14, maxlength: 20000 }, article.body ?? '');
  const preview = h('div', { class: 'article-preview', id: 'article-preview', 'aria-live': 'polite' });
  const status = h('div', { class: 'form-status' });
  const fields = () => ({
    title: title.value, slug: slug.value, category: category.value, locale: locale.value, body: body.value,
  });
  const save = async (extra = {}) => {
    try {
      await context.api.saveArticle(article.id, { ...fields(), ...extra });
      rerender();
    } catch (error) {
      replace(status, errorBox(error));
    }
  };
  const move = (to, text) => h('button', { type: 'button', class: 'secondary', onclick: () => save({ status: to }) }, text);
  return h('form', {
    class: 'article-editor card',
    'aria-labelledby': 'editor-title',
    onsubmit: (event) => { event.preventDefault(); save(); },
  },
  h('h2', { id: 'editor-title' }, fresh ? 'New article' : `Edit “${article.title}”`),
  fresh ? null : h('p', {}, statusBadge(article.status), ' updated ', when(article.updated_at)),
  field('article-title', 'Title', title),
  field('article-slug', 'Slug (shared by translations)', slug),
  field('article-category', 'Category', category),
  field('article-locale', 'Language', locale),
  field('article-body', 'Body (Markdown)', body),
  h('div', { class: 'actions' },
    h('button', { type: 'submit' }, fresh ? 'Save draft' : 'Save'),
    h('button', {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        try {
          // The database's rendering, as readers will get it (the only HTML this page inserts).
          preview.innerHTML = await context.api.renderArticle(body.value);
        } catch (error) {
          replace(preview, errorBox(error));
        }
      },
    }, 'Preview'),
    fresh || article.status === 'published' ? null : move('published', 'Publish'),
    !fresh && article.status === 'published' ? move('archived', 'Archive') : null,
    !fresh && article.status === 'archived' ? move('draft', 'Back to draft') : null,
    !fresh ? h('button', {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        try {
          const versions = await context.api.articleVersions(article.id);
          replace(history, h('h3', {}, 'History'), h('ol', { class: 'timeline' }, versions.map((v) => h('li', {},
            `Version ${v.version} · `, statusBadge(v.status), ` · ${v.title} · `, when(v.saved_at)))));
        } catch (error) {
          replace(history, errorBox(error));
        }
      },
    }, 'History') : null),
  status,
  h('h3', {}, 'Preview'), preview);
}

const history = h('div', { class: 'article-history' });

export async function renderArticles(main, context, page) {
  const rerender = () => renderArticles(main, context, page);
  let articles, locales;
  try {
    [articles, locales] = await Promise.all([context.api.articles(), context.api.helpLocales()]);
  } catch (error) {
    page('Help articles', errorBox(error));
    return;
  }
  const editing = h('div', { id: 'article-editing' });
  const open = (article) => {
    replace(history);
    replace(editing, editor(article, locales, context, rerender), history);
    document.getElementById('article-title').focus();
  };
  page('Help articles',
    h('p', { class: 'muted' },
      'Agents write drafts; publishers (admins, or agents when the help setting says so) publish. ',
      'Published articles are public at ', h('a', { href: helpCenterUrl(context) }, helpCenterUrl(context)), '.'),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => open({}) }, 'New article')),
    h('table', { class: 'queue articles' },
      h('caption', {}, `${articles.length} articles`),
      h('thead', {}, h('tr', {}, ['Title', 'Language', 'Category', 'Status', 'Updated'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, articles.map((article) => h('tr', {},
        h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => open(article) }, article.title)),
        h('td', { 'data-label': 'Language' }, article.locale),
        h('td', { 'data-label': 'Category' }, article.category),
        h('td', { 'data-label': 'Status' }, statusBadge(article.status)),
        h('td', { 'data-label': 'Updated' }, when(article.updated_at)))))),
    editing);
}
