// The public feedback board (docs/feedback-board.md): the posts users read and vote on, with their
// vote counts and a status move each (support_update_post; the moves are the rows of
// feedback_transitions that are not with_feature, the database refuses any other), a form to
// publish a feedback entry as a post or merge it into one, the roadmap, and the changelog with
// its editor. One round of requests renders it: the posts, the roadmap, the changelog, the moves
// and the labels, in parallel.

import { announce, badge, errorBox, h, label, replace } from './dom.js';
import { FEEDBACK_STATUS_LABELS, loadLabels } from './labels.js';

const PAGE_SIZE = 100;

function submitting(context, status, call, reload) {
  return async (event) => {
    event.preventDefault();
    try {
      await call(event.target);
      announce('Saved');
      await reload();
    } catch (error) {
      replace(status, errorBox(error));
    }
  };
}

function field(id, text, control) {
  return h('div', { class: 'field' }, h('label', { for: id }, text), control);
}

function postRow(post, moves, context, reload) {
  const id = `post-${post.post_id}`;
  const status = h('div', { class: 'form-status' });
  const allowed = moves.filter((move) => move.from_status === post.status);
  const form = allowed.length === 0 ? h('span', { class: 'muted' }, 'No move') : h('form', {
    class: 'inline',
    'aria-label': `Move ${post.title}`,
    onsubmit: submitting(context, status,
      (target) => context.api.updatePost({ post_id: post.post_id, status: target.elements.status.value }), reload),
  },
  h('label', { for: `${id}-status`, class: 'visually-hidden' }, `New status of ${post.title}`),
  h('select', { id: `${id}-status`, name: 'status' },
    allowed.map((move) => h('option', { value: move.to_status }, label(FEEDBACK_STATUS_LABELS, move.to_status)))),
  h('button', { type: 'submit' }, 'Move'),
  status);
  return h('tr', { 'data-post': post.post_id },
    h('th', { scope: 'row' }, post.title),
    h('td', { 'data-label': 'Status' }, badge('fstatus', post.status, FEEDBACK_STATUS_LABELS)),
    h('td', { 'data-label': 'Votes', class: 'num' }, String(post.vote_count)),
    h('td', { 'data-label': 'Shared' }, String(post.shared.length)),
    h('td', { 'data-label': 'Move' }, form));
}

function postsSection(answer, moves, context, reload) {
  return h('section', { class: 'card', 'aria-labelledby': 'board-posts' },
    h('h2', { id: 'board-posts' }, 'Public posts'),
    h('p', { class: 'summary' }, `${answer.total} ${answer.total === 1 ? 'post' : 'posts'}, most voted first. `,
      'Users see the title, the description, the votes and the texts their authors chose to share; never who wrote or voted.'),
    answer.posts.length === 0 ? h('p', { class: 'empty' }, 'No public post yet.') : h('table', { id: 'board-posts-table' },
      h('thead', {}, h('tr', {}, ['Post', 'Status', 'Votes', 'Shared entries', 'Move'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, answer.posts.map((post) => postRow(post, moves, context, reload)))));
}

function publishSection(posts, context, reload) {
  const publishStatus = h('div', { class: 'form-status' });
  const mergeStatus = h('div', { class: 'form-status' });
  const publish = h('form', {
    'aria-label': 'Publish feedback',
    onsubmit: submitting(context, publishStatus, (form) => context.api.publishFeedback({
      feedback_id: form.elements.feedback_id.value.trim(),
      title: form.elements.title.value,
      description: form.elements.description.value,
    }), reload),
  },
  field('publish-feedback-id', 'Feedback entry (id)', h('input', { id: 'publish-feedback-id', name: 'feedback_id', required: true })),
  field('publish-title', 'Title for the public', h('input', { id: 'publish-title', name: 'title', maxlength: 150, required: true })),
  field('publish-description', 'Description for the public', h('textarea', { id: 'publish-description', name: 'description', rows: 3, maxlength: 5000, required: true })),
  h('p', { class: 'muted' }, 'The author\u2019s own text stays private unless they share it.'),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Publish')),
  publishStatus);
  const merge = h('form', {
    'aria-label': 'Merge feedback into a post',
    onsubmit: submitting(context, mergeStatus, (form) => context.api.mergeFeedback({
      feedback_id: form.elements.feedback_id.value.trim(), post_id: form.elements.post_id.value,
    }), reload),
  },
  field('merge-feedback-id', 'Feedback entry (id)', h('input', { id: 'merge-feedback-id', name: 'feedback_id', required: true })),
  field('merge-post', 'Post', h('select', { id: 'merge-post', name: 'post_id' },
    posts.map((post) => h('option', { value: post.post_id }, post.title)))),
  h('div', { class: 'actions' }, h('button', { type: 'submit', disabled: posts.length === 0 }, 'Merge')),
  mergeStatus);
  return h('section', { class: 'card', 'aria-labelledby': 'board-publish' },
    h('h2', { id: 'board-publish' }, 'Publish or merge feedback'), publish, merge);
}

function roadmapSection(roadmap) {
  const column = (key, title) => h('div', { class: 'roadmap-column' },
    h('h3', {}, title),
    roadmap[key].length === 0 ? h('p', { class: 'muted' }, 'Nothing.') : h('ul', {},
      roadmap[key].map((post) => h('li', {}, `${post.title} `, h('span', { class: 'muted' }, `(${post.vote_count} ${post.vote_count === 1 ? 'vote' : 'votes'})`)))));
  return h('section', { class: 'card', 'aria-labelledby': 'board-roadmap' },
    h('h2', { id: 'board-roadmap' }, 'Roadmap'),
    h('div', { class: 'roadmap-columns' },
      column('planned', label(FEEDBACK_STATUS_LABELS, 'planned')),
      column('in_progress', label(FEEDBACK_STATUS_LABELS, 'in_progress')),
      column('shipped', `${label(FEEDBACK_STATUS_LABELS, 'shipped')} (last ${roadmap.shipped_recent_days} days)`)));
}

function changelogEntry(entry) {
  const body = h('div', { class: 'changelog-body' });
  // body_html is the database's rendering of the Markdown: every character escaped, links to
  // http, https and mailto addresses only (private.render_markdown).
  body.innerHTML = entry.body_html;
  return h('article', { class: 'changelog-entry', 'aria-labelledby': `entry-${entry.entry_id}` },
    h('h3', { id: `entry-${entry.entry_id}` }, entry.title, ' ', h('span', { class: 'muted' }, entry.published_on)),
    body,
    entry.posts.length ? h('p', { class: 'muted' }, 'Ships: ', entry.posts.map((post) => post.title).join(', ')) : null);
}

function changelogSection(changelog, posts, context, reload) {
  const status = h('div', { class: 'form-status' });
  const editor = h('form', {
    'aria-label': 'New changelog entry',
    onsubmit: submitting(context, status, (form) => context.api.saveChangelogEntry({
      title: form.elements.title.value,
      body: form.elements.body.value,
      post_ids: [...form.elements.post_ids.selectedOptions].map((option) => option.value),
    }), reload),
  },
  field('changelog-title', 'Title', h('input', { id: 'changelog-title', name: 'title', maxlength: 150, required: true })),
  field('changelog-body', 'Body (Markdown: **bold**, *italic*, `code`, - lists, [links](https://…))',
    h('textarea', { id: 'changelog-body', name: 'body', rows: 4, maxlength: 20000, required: true })),
  field('changelog-posts', 'Posts it ships', h('select', { id: 'changelog-posts', name: 'post_ids', multiple: true },
    posts.map((post) => h('option', { value: post.post_id }, post.title)))),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Publish entry')),
  status);
  return h('section', { class: 'card', 'aria-labelledby': 'board-changelog' },
    h('h2', { id: 'board-changelog' }, 'Changelog'),
    editor,
    changelog.entries.length === 0 ? h('p', { class: 'empty' }, 'No entry yet.') : changelog.entries.map(changelogEntry));
}

export async function renderBoard(main, context, page) {
  const reload = () => renderBoard(main, context, page);
  let answer, roadmap, changelog, moves;
  try {
    [answer, roadmap, changelog, moves] = await Promise.all([
      context.api.boardPosts({ limit: String(PAGE_SIZE) }), context.api.roadmap(),
      context.api.changelog({ limit: '20' }), context.api.feedbackMoves(), loadLabels(context.api),
    ]);
  } catch (error) {
    page('Public board', errorBox(error));
    return;
  }
  page('Public board',
    roadmapSection(roadmap),
    postsSection(answer, moves, context, reload),
    publishSection(answer.posts, context, reload),
    changelogSection(changelog, answer.posts, context, reload));
}
