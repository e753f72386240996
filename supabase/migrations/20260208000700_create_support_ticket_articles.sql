-- Staff operations of the help center: articles for a ticket, and a preview of a body.
--
-- Why: an agent answering a ticket should see the articles that may answer it and link one in
-- a reply in a click (issue 26); an agent writing an article should see it as readers will, as
-- the database renders it. support_ticket_articles runs suggest_articles over the ticket's
-- subject and description (in the default locale; tickets carry no language); staff read
-- tickets only through definer functions (20260110000800), so the ticket's text is read by one.
-- support_render_article renders Markdown with the renderer of 20260206000400, saving nothing.

-- Security definer: staff hold no read policy on support_tickets; it checks the caller is
-- staff and returns one ticket's subject and description, the text to search with.
create function private.ticket_text_as_staff(target uuid)
    returns text
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    found_text text;
begin
    perform private.require_staff();
    select t.subject || E'\n' || t.description into found_text
    from public.support_tickets as t where t.id = target;
    if not found then
        perform private.raise_ticket_not_found();
    end if;
    return found_text;
end;
$$;

comment on function private.ticket_text_as_staff(uuid) is
    'Staff only: a ticket''s subject and description, to search articles with. Security definer: '
    'staff hold no read policy on support_tickets; it checks the caller is staff and reads one ticket.';
revoke all on function private.ticket_text_as_staff(uuid) from public;
grant execute on function private.ticket_text_as_staff(uuid) to authenticated;

create function public.support_ticket_articles(ticket_id text, page_size integer default 3)
    returns table (id uuid, slug text, locale text, title text, category text, excerpt text, score double precision,
        lexical_score double precision)
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    perform private.require_staff();
    return query
    select s.id, s.slug, s.locale, s.title, s.category, s.excerpt, s.score, s.lexical_score
    from public.suggest_articles(
        private.ticket_text_as_staff(private.uuid_param(support_ticket_articles.ticket_id, 'ticket_id')),
        null, support_ticket_articles.page_size) as s;
end;
$$;

comment on function public.support_ticket_articles(text, integer) is
    'Staff only (403 otherwise). The published articles that may answer a ticket: suggest_articles '
    'over its subject and description, default locale. {ticket_id, page_size? (1-10, default 3)}. '
    '400 for a malformed id, 404 for a missing ticket.';
revoke all on function public.support_ticket_articles(text, integer) from public, anon, authenticated, service_role;
grant execute on function public.support_ticket_articles(text, integer) to authenticated;

create function public.support_render_article(body text)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
begin
    perform private.require_staff();
    return private.render_markdown(support_render_article.body);
end;
$$;

comment on function public.support_render_article(text) is
    'Staff only (403 otherwise). The HTML a help article''s Markdown body renders to, as saving '
    'it would store in body_html (safe: see 20260206000400). Saves nothing.';
revoke all on function public.support_render_article(text) from public, anon, authenticated, service_role;
grant execute on function public.support_render_article(text) to authenticated;
