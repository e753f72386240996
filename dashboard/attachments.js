// A ticket's files, as support_ticket returns them (paths in the support-attachments bucket):
// name, type, size, and whether the file belongs to an internal note. On a project with a
// Storage server a button asks for a signed URL that downloads the file (asked on click, so the
// page still renders from one round of requests and the link is fresh); the Storage API signs
// only what the caller may read. The local stack has no Storage server: the page shows the path
// and says so.

import { errorBox, h, replace, when } from './dom.js';

function size(bytes) {
  if (bytes === null || bytes === undefined) return 'size unknown';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function download(file, context, status) {
  return h('button', {
    type: 'button',
    class: 'secondary',
    onclick: async () => {
      try {
        const { signedUrl } = await context.api.signedUrl(file.bucket, file.path);
        location.assign(signedUrl);
      } catch (error) {
        replace(status, errorBox(error));
      }
    },
  }, `Download ${file.name}`);
}

export function attachmentsSection(ticket, context) {
  const files = ticket.attachments ?? [];
  if (files.length === 0) return null;
  const internalMessages = new Set((ticket.messages ?? []).filter((m) => m.internal).map((m) => m.message_id));
  const hosted = context.config.storageServer !== false;
  return h('section', { class: 'card', 'aria-labelledby': 'attachments-title' },
    h('h2', { id: 'attachments-title' }, `Attachments (${files.length})`),
    hosted ? null : h('p', { class: 'muted storage-note' },
      'This stack has no Storage server, so files cannot be opened here: each is shown by its path in the '
      + 'bucket. On a Supabase project the button downloads the file through a signed URL.'),
    h('ul', { class: 'attachments' }, files.map((file) => {
      const internal = internalMessages.has(file.message_id);
      const status = h('div', { class: 'form-status' });
      return h('li', { class: internal ? 'internal' : null },
        h('span', { class: 'file-name' }, file.name), ' ',
        h('span', { class: 'muted' }, `${file.content_type ?? 'type unknown'} · ${size(file.size)} · `, when(file.created_at)),
        internal ? h('p', { class: 'kind' }, 'On an internal note · staff only') : null,
        hosted ? h('div', {}, download(file, context, status)) : h('p', { class: 'path' }, `${file.bucket}/${file.path}`),
        status);
    })));
}
