-- A small, strict Markdown renderer, in the database: help articles and the board's changelog.
--
-- Why: an article's body is Markdown written by agents and read by everyone, in the dashboard,
-- the companion, the app and the public /help/ pages. Rendering it once, in the database, when
-- it is saved (help_articles.body_html) gives every reader the same HTML and one place to make
-- it safe. The renderer is deliberately small and strict:
--   * blocks: paragraphs, headings (# to ######), fenced code (```), lists (- or *, and 1.);
--   * inline: **strong**, *emphasis* and _emphasis_, `code`, [text](url);
--   * every character of the text is HTML-escaped first (& < > " '), so raw HTML, <script>,
--     <svg>, event handlers (onerror=...) and entities come out as text; the only tags in the
--     output are the renderer's own, and the only attribute is a link's href;
--   * a link's URL must be http(s):// or relative (no scheme: no colon at all); anything else
--     (javascript:, data:, vbscript:, mailto:, ...) loses its link and keeps its text.
-- Images, tables and raw HTML are not supported: they render as their text.

create function private.html_escape(value text)
    returns text
    language sql
    immutable
    strict
    security invoker
    set search_path = ''
as $$
    select pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
        pg_catalog.replace(value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
$$;

comment on function private.html_escape(text) is
    'The text with & < > " and '' written as HTML entities: safe in an element and in a quoted attribute.';
revoke all on function private.html_escape(text) from public;
grant execute on function private.html_escape(text) to authenticated, service_role;

-- Emphasis on escaped text (no tag can be in it yet, and none the writer typed survives escaping).
create function private.markdown_emphasis(escaped text)
    returns text
    language sql
    immutable
    strict
    security invoker
    set search_path = ''
as $$
    select pg_catalog.regexp_replace(
        pg_catalog.regexp_replace(
            pg_catalog.regexp_replace(escaped, '\*\*([^*]+)\*\*', '<strong>\1</strong>', 'g'),
            '\*([^*[:space:]][^*]*)\*', '<em>\1</em>', 'g'),
        '(^|[^[:alnum:]_])_([^_[:space:]][^_]*)_($|[^[:alnum:]_])', '\1<em>\2</em>\3', 'g');
$$;

comment on function private.markdown_emphasis(text) is
    'Markdown **strong**, *emphasis* and _emphasis_ on already escaped text.';
revoke all on function private.markdown_emphasis(text) from public;
grant execute on function private.markdown_emphasis(text) to authenticated, service_role;

-- Links, then emphasis around and inside their text (never inside their URL), on escaped text.
create function private.markdown_links(escaped text)
    returns text
    language plpgsql
    immutable
    strict
    security invoker
    set search_path = ''
as $$
declare
    rest text := escaped;
    result text := '';
    found_link text[];
    whole text;
    at integer;
    url text;
begin
    loop
        found_link := pg_catalog.regexp_match(rest, '\[([^][]+)\]\(([^()[:space:]]+)\)');
        exit when found_link is null;
        whole := '[' || found_link[1] || '](' || found_link[2] || ')';
        at := pg_catalog.strpos(rest, whole);
        result := result || private.markdown_emphasis(pg_catalog.left(rest, at - 1));
        url := found_link[2];
        -- Escaped text holds no < > " ' (they are entities now); the URL must be http(s):// or
        -- have no colon at all (relative), which rules out every other scheme, however spelled.
        if url ~* '^https?://[^[:space:]`]+$' or url ~ '^[^:[:space:][:cntrl:]`]+$' then
            result := result || '<a href="' || url || '">' || private.markdown_emphasis(found_link[1]) || '</a>';
        else
            result := result || private.markdown_emphasis(found_link[1]);
        end if;
        rest := pg_catalog.substr(rest, at + pg_catalog.length(whole));
    end loop;
    return result || private.markdown_emphasis(rest);
end;
$$;

comment on function private.markdown_links(text) is
    'Markdown [text](url) on already escaped text: an http(s) or relative URL becomes a link, any '
    'other (javascript:, data:, ...) leaves only the text. Emphasis is applied around and inside '
    'the link text, never in the URL.';
revoke all on function private.markdown_links(text) from public;
grant execute on function private.markdown_links(text) to authenticated, service_role;

create function private.markdown_inline(raw text)
    returns text
    language plpgsql
    immutable
    strict
    security invoker
    set search_path = ''
as $$
declare
    parts text[] := pg_catalog.string_to_array(private.html_escape(raw), '`');
    n integer := pg_catalog.cardinality(parts);
    result text := '';
begin
    -- Backticks split the line; the even pieces are code spans when they are closed (an odd
    -- number of pieces), else the last backtick is text.
    for i in 1 .. n loop
        if i % 2 = 0 and (n % 2 = 1 or i < n) then
            result := result || '<code>' || parts[i] || '</code>';
        elsif i % 2 = 0 then
            result := result || '`' || private.markdown_links(parts[i]);
        else
            result := result || private.markdown_links(parts[i]);
        end if;
    end loop;
    return result;
end;
$$;

comment on function private.markdown_inline(text) is
    'One line (or paragraph) of Markdown text as safe inline HTML: escaped, then `code`, links and emphasis.';
revoke all on function private.markdown_inline(text) from public;
grant execute on function private.markdown_inline(text) to authenticated, service_role;

create function private.render_markdown(markdown text)
    returns text
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    line text;
    html text[] := '{}'::text[];
    paragraph text[] := '{}'::text[];
    list_kind text;
    items text[] := '{}'::text[];
    in_code boolean := false;
    code_lines text[] := '{}'::text[];
    heading text[];
    item text[];
begin
    if markdown is null then
        return '';
    end if;
    foreach line in array pg_catalog.regexp_split_to_array(pg_catalog.replace(markdown, E'\r', ''), E'\n') loop
        if in_code then
            if line ~ '^[[:space:]]*```' then
                html := html || ('<pre><code>' || private.html_escape(pg_catalog.array_to_string(code_lines, E'\n')) || '</code></pre>');
                code_lines := '{}'::text[];
                in_code := false;
            else
                code_lines := code_lines || line;
            end if;
            continue;
        end if;
        heading := pg_catalog.regexp_match(line, '^(#{1,6})[[:space:]]+(.*)$');
        item := pg_catalog.regexp_match(line, '^[[:space:]]{0,3}([-*]|[0-9]{1,9}\.)[[:space:]]+(.*)$');
        -- A block ends the paragraph and the list before it.
        if line ~ '^[[:space:]]*$' or line ~ '^[[:space:]]*```' or heading is not null
            or (item is not null and list_kind is distinct from
                case when item[1] ~ '^[0-9]' then 'ol' else 'ul' end) then
            if pg_catalog.cardinality(paragraph) > 0 then
                html := html || ('<p>' || private.markdown_inline(pg_catalog.array_to_string(paragraph, E'\n')) || '</p>');
                paragraph := '{}'::text[];
            end if;
            if list_kind is not null then
                html := html || ('<' || list_kind || '>' || pg_catalog.array_to_string(items, '') || '</' || list_kind || '>');
                items := '{}'::text[];
                list_kind := null;
            end if;
        end if;
        if line ~ '^[[:space:]]*```' then
            in_code := true;
        elsif heading is not null then
            html := html || ('<h' || pg_catalog.length(heading[1]) || '>' || private.markdown_inline(pg_catalog.regexp_replace(heading[2], '[[:space:]#]*$', ''))
                || '</h' || pg_catalog.length(heading[1]) || '>');
        elsif item is not null and pg_catalog.cardinality(paragraph) = 0 then
            list_kind := case when item[1] ~ '^[0-9]' then 'ol' else 'ul' end;
            items := items || ('<li>' || private.markdown_inline(item[2]) || '</li>');
        elsif line !~ '^[[:space:]]*$' then
            if list_kind is not null then
                -- A line under a list item continues it.
                items[pg_catalog.cardinality(items)] := pg_catalog.regexp_replace(items[pg_catalog.cardinality(items)], '</li>$', '')
                    || ' ' || private.markdown_inline(pg_catalog.btrim(line)) || '</li>';
            else
                paragraph := paragraph || pg_catalog.btrim(line);
            end if;
        end if;
    end loop;
    if in_code then
        html := html || ('<pre><code>' || private.html_escape(pg_catalog.array_to_string(code_lines, E'\n')) || '</code></pre>');
    end if;
    if pg_catalog.cardinality(paragraph) > 0 then
        html := html || ('<p>' || private.markdown_inline(pg_catalog.array_to_string(paragraph, E'\n')) || '</p>');
    end if;
    if list_kind is not null then
        html := html || ('<' || list_kind || '>' || pg_catalog.array_to_string(items, '') || '</' || list_kind || '>');
    end if;
    return pg_catalog.array_to_string(html, E'\n');
end;
$$;

comment on function private.render_markdown(text) is
    'Help article Markdown as safe HTML: paragraphs, headings, fenced code, lists, **strong**, '
    '*emphasis*, `code` and links to http(s) or relative URLs; everything else is escaped text '
    '(no raw HTML, no script, no event handler, no other URL scheme). See 20260206000400.';
revoke all on function private.render_markdown(text) from public;
grant execute on function private.render_markdown(text) to authenticated, service_role;
