-- The private Storage bucket for files on support tickets: screenshots, logs, PDFs, short
-- screen recordings.
--
-- Why: a screenshot says more than a paragraph and support often needs a log; on Supabase an
-- app uploads through the Storage API (storage-js), which checks the bucket's settings before
-- it writes a byte and checks our policies on storage.objects as the user. The bucket is
-- private (public = false): no file is readable by URL alone; a client that may read a file
-- asks for a signed URL (createSignedUrl), which the Storage API grants only when the policies
-- let the caller select that object.
--
-- Limits: 25 MiB a file, enough for a minute of screen recording at phone resolution, well
-- under the platform's 50 MB upload limit of the free plan. Types: the ones a support
-- conversation needs (PNG, JPEG, GIF, WebP and HEIC screenshots and photos, PDF, text/plain logs,
-- MP4, WebM and QuickTime recordings). Nothing a browser executes or renders as a page (no
-- SVG, HTML, JavaScript), no archives or executables: support opens these files. The Storage API
-- checks the type the client declares, not the bytes, so the list narrows mistakes and casual
-- abuse; support opens files through signed URLs as downloads, never inline in the dashboard's
-- origin. Per-ticket limits (count, total size) are rows of public.attachment_limits.
-- Admins change these settings in the dashboard (Storage > Buckets) or here.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values (
    'support-attachments',
    'support-attachments',
    false,
    26214400,
    array[
        'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/heic',
        'application/pdf',
        'text/plain',
        'video/mp4', 'video/webm', 'video/quicktime'
    ]
)
on conflict (id) do update
set public = excluded.public,
    file_size_limit = excluded.file_size_limit,
    allowed_mime_types = excluded.allowed_mime_types;
