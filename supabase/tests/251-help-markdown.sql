-- The Markdown renderer of help articles: what it renders, and that no payload of a list of
-- XSS attacks comes out as markup (only the renderer's own tags, and only http(s) or relative
-- links). The same list is rendered in a browser by tests/dashboard/test_help_center.py.
begin;
select plan(14);

create temporary table payloads (markdown text);
insert into payloads values
    ('<script>alert(1)</script>'),
    ('<SCRIPT SRC=//evil.example/x.js></SCRIPT>'),
    ('<img src=x onerror=alert(1)>'),
    ('<svg onload=alert(1)>'),
    ('<svg><script>alert(1)</script></svg>'),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>'),
    ('<a href="javascript:alert(1)">x</a>'),
    ('[click](javascript:alert(1))'),
    ('[click](JaVaScRiPt:alert%281%29)'),
    ('[click](  javascript:alert`1`)'),
    ('[click](java&#115;cript:alert)'),
    ('[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'),
    ('[click](vbscript:msgbox)'),
    ('[x](https://ok.example/"onmouseover="alert(1))'),
    ('[x](/ok" onclick="alert(1))'),
    ('**<b onmouseover=alert(1)>x</b>**'),
    ('`</code><script>alert(1)</script>`'),
    (E'```\n</code></pre><script>alert(1)</script>\n```'),
    ('<iframe src="javascript:alert(1)"></iframe>'),
    ('<style>@import "//evil.example/x.css";</style>'),
    ('&lt;script&gt;alert(1)&lt;/script&gt;'),
    ('<div style="background:url(javascript:alert(1))">'),
    ('# <img src=x onerror=alert(1)>'),
    ('- <svg/onload=alert(1)>'),
    ('[<img src=x onerror=alert(1)>](https://ok.example/)');

-- The markup left once the renderer's own tags (and a link's href) are taken out.
create function pg_temp.foreign_markup(html text) returns text language sql as $$
    select regexp_replace(html,
        '</?(p|h[1-6]|em|strong|code|pre|ul|ol|li)>|<a href="(https?://|[^":]*)[^"<>]*">|</a>', '', 'g')
$$;

select is(
    (select array_agg(p.markdown) from payloads as p
     where pg_temp.foreign_markup(private.render_markdown(p.markdown)) ~ '[<>"]'),
    null,
    'no XSS payload of the list renders as a tag, an attribute or a quote of its own'
);
select is(
    (select array_agg(p.markdown) from payloads as p
     where private.render_markdown(p.markdown) ~* 'href="[[:space:]]*(javascript|data|vbscript)'),
    null,
    'no payload becomes a javascript:, data: or vbscript: link'
);
select is(
    (select array_agg(p.markdown) from payloads as p
     where private.render_markdown(p.markdown) ~* '<(script|svg|img|iframe|style|math|div)'),
    null,
    'script, SVG, images, frames and styles come out as text'
);
select is(private.render_markdown('<b>hi</b>'), '<p>&lt;b&gt;hi&lt;/b&gt;</p>', 'raw HTML is shown as text');
select is(private.render_markdown('[docs](javascript:alert(1))'), '<p>[docs](javascript:alert(1))</p>',
    'a javascript: link stays text');
select is(private.render_markdown('[docs](data:text/html,x)'), '<p>docs</p>', 'a data: link keeps only its text');

-- What it renders.
select is(private.render_markdown('## Reset it'), '<h2>Reset it</h2>', 'a heading');
select is(private.render_markdown(E'One\ntwo\n\nThree'), E'<p>One\ntwo</p>\n<p>Three</p>',
    'a blank line separates paragraphs');
select is(private.render_markdown('**a** *b* _c_ `d*e*`'),
    '<p><strong>a</strong> <em>b</em> <em>c</em> <code>d*e*</code></p>',
    'strong, emphasis and code (no emphasis inside code)');
select is(private.render_markdown(E'- one\n- two\n\n1. first\n2. second'),
    E'<ul><li>one</li><li>two</li></ul>\n<ol><li>first</li><li>second</li></ol>',
    'bulleted and numbered lists');
select is(private.render_markdown('[Settings](https://app.example/settings?a=1&b=2)'),
    '<p><a href="https://app.example/settings?a=1&amp;b=2">Settings</a></p>',
    'an https link, its ampersand escaped');
select is(private.render_markdown('[see](/help/reset_your_password)'),
    '<p><a href="/help/reset_your_password">see</a></p>',
    'a relative link, with no emphasis made inside its URL');
select is(private.render_markdown(E'```\nif a < b:\n    *x*\n```'),
    E'<pre><code>if a &lt; b:\n    *x*</code></pre>', 'fenced code is kept as typed, escaped');
select is(private.render_markdown(null), '', 'no body renders as nothing');

select * from finish();
rollback;
