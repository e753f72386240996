"""Generate docs/schema/: one read-only page per table and per function of the project's schemas,
from the catalog of a migrated database.

    python -m support_dev.schemadocs --db-url URL            # rewrite docs/schema/
    python -m support_dev.schemadocs --db-url URL --check    # exit 1 when it is stale

Without --db-url it reads ``SUPABASE_DB_URL``. `python -m support_dev.docs` regenerates these
pages and the API reference in one go, on a stack of its own. The migrations are the source:
the pages say what the catalog holds after them (columns, constraints with the comment that is
their message, RLS policies, grants, triggers, comments), so a reader need not replay the files.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "schema"
MIGRATIONS = ROOT / "supabase" / "migrations"
COMMAND = "python -m support_dev.docs"
SCHEMAS = {
    "public": "exposed by PostgREST: the tables under RLS and the RPCs",
    "private": "not exposed: security definer functions, triggers and internal tables",
    "api_guard": "not exposed: PostgREST's pre-request function (fair share)",
}
# The privileges shown, in this order; PostgreSQL 17's MAINTAIN is left out so that the pages
# read the same on 15 and 17.
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
# Objects an extension made are the extension's, not the project's.
NOT_FROM_AN_EXTENSION = (
    "not exists (select from pg_depend d where d.objid = {oid} and d.deptype = 'e')"
)

TABLES = f"""
    select c.oid, c.relname, obj_description(c.oid, 'pg_class'), c.relrowsecurity,
           c.relforcerowsecurity, pg_get_userbyid(c.relowner)
    from pg_class c
    where c.relnamespace = %s::regnamespace and c.relkind in ('r', 'p')
      and {NOT_FROM_AN_EXTENSION.format(oid="c.oid")}
    order by c.relname
"""
COLUMNS = """
    select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
           pg_get_expr(d.adbin, d.adrelid), a.attgenerated, col_description(a.attrelid, a.attnum)
    from pg_attribute a
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = %s and a.attnum > 0 and not a.attisdropped
    order by a.attnum
"""
CONSTRAINTS = """
    select con.conname, con.contype, pg_get_constraintdef(con.oid),
           obj_description(con.oid, 'pg_constraint')
    from pg_constraint con
    where con.conrelid = %s and con.contype <> 'n'
    order by con.contype, con.conname
"""
INDEXES = """
    select i.relname, pg_get_indexdef(i.oid)
    from pg_index x join pg_class i on i.oid = x.indexrelid
    where x.indrelid = %s and not exists (select from pg_constraint con where con.conindid = i.oid)
    order by i.relname
"""
POLICIES = """
    select p.polname, p.polpermissive,
           case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update'
                         when 'd' then 'delete' else 'all' end,
           array(select case r when 0 then 'public' else pg_get_userbyid(r) end
                 from unnest(p.polroles) r order by 1),
           pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
    from pg_policy p
    where p.polrelid = %s
    order by p.polname
"""
TABLE_GRANTS = """
    select case g.grantee when 0 then 'public' else pg_get_userbyid(g.grantee) end,
           g.privilege_type
    from pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) g
    where c.oid = %s and g.grantee <> c.relowner
"""
COLUMN_GRANTS = """
    select case g.grantee when 0 then 'public' else pg_get_userbyid(g.grantee) end,
           g.privilege_type, a.attname
    from pg_attribute a, aclexplode(a.attacl) g
    where a.attrelid = %s and a.attnum > 0 and not a.attisdropped and a.attacl is not null
    order by a.attnum
"""
TRIGGERS = """
    select t.tgname, pg_get_triggerdef(t.oid)
    from pg_trigger t
    where t.tgrelid = %s and not t.tgisinternal
    order by t.tgname
"""
FUNCTIONS = f"""
    select p.oid, p.proname, pg_get_function_identity_arguments(p.oid),
           pg_get_function_result(p.oid), l.lanname, p.prosecdef, p.provolatile, p.prokind,
           coalesce(array_to_string(p.proconfig, ', '), ''), obj_description(p.oid, 'pg_proc')
    from pg_proc p join pg_language l on l.oid = p.prolang
    where p.pronamespace = %s::regnamespace and {NOT_FROM_AN_EXTENSION.format(oid="p.oid")}
    order by p.proname, pg_get_function_identity_arguments(p.oid)
"""
FUNCTION_GRANTS = """
    select distinct case g.grantee when 0 then 'public' else pg_get_userbyid(g.grantee) end
    from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) g
    where p.oid = %s and g.grantee <> p.proowner
    order by 1
"""
VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}
KIND = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window function"}
CONSTRAINT_KIND = {"p": "primary key", "u": "unique", "f": "foreign key", "c": "check",
                   "x": "exclusion", "t": "trigger"}


def _cell(text: object) -> str:
    """A value in a table cell: on one line, pipes escaped, nothing shown as empty."""
    if text is None or text == "":
        return ""
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(text: object) -> str:
    return f"`{_cell(text)}`" if text not in (None, "") else ""


def _table(head: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    head = list(head)
    return [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
        "",
    ]


def defined_in(schema: str, name: str, kind: str) -> list[str]:
    """The migrations that create (or replace) the object, by file name."""
    if kind == "table":
        pattern = rf"create\s+table\s+(?:if\s+not\s+exists\s+)?{schema}\.{name}\b"
    else:
        pattern = rf"create\s+(?:or\s+replace\s+)?function\s+{schema}\.{name}\s*\("
    regex = re.compile(pattern, re.IGNORECASE)
    return [path.name for path in sorted(MIGRATIONS.glob("*.sql"))
            if regex.search(path.read_text())]


def _header(schema: str, name: str, kind: str, comment: str | None) -> list[str]:
    files = defined_in(schema, name, kind)
    where = ", ".join(f"[{file}](../../../../supabase/migrations/{file})" for file in files)
    return [
        f"# {kind.capitalize()} `{schema}.{name}`",
        "",
        f"<!-- Generated by `{COMMAND}` from the catalog; edit the migrations, not this file. -->",
        "",
        *([f"Defined in {where}.", ""] if where else []),
        *(comment.strip().splitlines() if comment else ["(No comment.)"]),
        "",
    ]


def table_page(db: psycopg.Connection, schema: str, row: tuple) -> str:
    oid, name, comment, rls, forced, _owner = row
    out = _header(schema, name, "table", comment)
    columns = db.execute(COLUMNS, (oid,)).fetchall()
    out += ["## Columns", "", *_table(
        ["column", "type", "null", "default", "comment"],
        [(f"`{column}`", _cell(kind), "" if not_null else "yes",
          _code(f"generated: {default}" if generated else default), _cell(note))
         for column, kind, not_null, default, generated, note in columns])]
    constraints = db.execute(CONSTRAINTS, (oid,)).fetchall()
    if constraints:
        out += ["## Constraints", "",
                "A check's or foreign key's comment is the message a client reads.", "",
                *_table(["constraint", "kind", "definition", "comment (message)"],
                        [(f"`{con}`", CONSTRAINT_KIND.get(kind, kind), _code(definition),
                          _cell(note)) for con, kind, definition, note in constraints])]
    indexes = db.execute(INDEXES, (oid,)).fetchall()
    if indexes:
        out += ["## Indexes", "", *_table(["index", "definition"],
                                          [(f"`{index}`", _code(d)) for index, d in indexes])]
    out += ["## Row Level Security", "",
            ("Enabled" + (", forced for the owner too." if forced else ".")) if rls
            else "Not enabled.", ""]
    policies = db.execute(POLICIES, (oid,)).fetchall()
    if policies:
        out += _table(["policy", "for", "to", "using", "with check"],
                      [(f"`{policy}`" + ("" if permissive else " (restrictive)"), command,
                        ", ".join(roles), _code(using), _code(check))
                       for policy, permissive, command, roles, using, check in policies])
    grants: dict[str, set[str]] = {}
    for role, privilege in db.execute(TABLE_GRANTS, (oid,)):
        grants.setdefault(role, set()).add(privilege)
    by_column: dict[tuple[str, str], list[str]] = {}
    for role, privilege, column in db.execute(COLUMN_GRANTS, (oid,)):
        by_column.setdefault((role, privilege), []).append(column)
    for (role, privilege), cols in by_column.items():
        grants.setdefault(role, set()).add(f"{privilege} ({', '.join(cols)})")
    out += ["## Grants", ""]
    rows = []
    for role in sorted(grants):
        shown = [p for p in TABLE_PRIVILEGES if p in grants[role]]
        shown += sorted(p for p in grants[role] if "(" in p)
        if shown:
            rows.append((role, _cell(", ".join(shown).lower())))
    out += _table(["role", "privileges"], rows) if rows else ["None besides the owner.", ""]
    triggers = db.execute(TRIGGERS, (oid,)).fetchall()
    if triggers:
        out += ["## Triggers", "", *_table(["trigger", "definition"],
                                           [(f"`{t}`", _code(d)) for t, d in triggers])]
    return "\n".join(out).rstrip() + "\n"


def function_page(db: psycopg.Connection, schema: str, rows: list[tuple]) -> str:
    name = rows[0][1]
    out = _header(schema, name, "function", rows[0][9])
    for oid, _name, arguments, result, language, definer, volatility, kind, config, comment in rows:
        if len(rows) > 1:
            out += [f"## `{name}({arguments})`", "", *(comment or "").splitlines(), ""]
        roles = [role for (role,) in db.execute(FUNCTION_GRANTS, (oid,))]
        out += _table(["", ""], [
            ("signature", _code(f"{schema}.{name}({arguments})")),
            ("returns", _code(result)),
            ("kind", f"{KIND.get(kind, kind)}, {language}, {VOLATILITY[volatility]}"),
            ("security", "definer" if definer else "invoker"),
            ("settings", _code(config)),
            ("execute granted to", ", ".join(roles) or "only its owner"),
        ])
    return "\n".join(out).rstrip() + "\n"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def render(db: psycopg.Connection) -> dict[str, str]:
    """Every page, by its path under docs/schema/."""
    pages: dict[str, str] = {}
    index = [
        "# Schema reference",
        "",
        f"<!-- Generated by `{COMMAND}` from the catalog; edit the migrations, not this file. -->",
        "",
        "What the migrations leave in the database, one page per table and per function, read "
        "from the catalog of a freshly migrated database: columns, constraints and the comments "
        "that are their messages, RLS policies, grants, triggers. The migrations are the "
        "source (docs/architecture.md, \"Migrations\"); the API's shapes are in "
        "[the API reference](../api-reference.md).",
        "",
    ]
    for schema, about in SCHEMAS.items():
        tables = db.execute(TABLES, (schema,)).fetchall()
        functions: dict[str, list[tuple]] = {}
        for row in db.execute(FUNCTIONS, (schema,)):
            functions.setdefault(row[1], []).append(row)
        if not tables and not functions:
            continue
        index += [f"## `{schema}`: {about}", ""]
        if tables:
            index += ["Tables:", ""]
            for row in tables:
                path = f"{schema}/tables/{_slug(row[1])}.md"
                pages[path] = table_page(db, schema, row)
                index.append(f"- [`{row[1]}`]({path}) {_first_sentence(row[2])}".rstrip())
            index.append("")
        if functions:
            index += ["Functions:", ""]
            for name, rows in functions.items():
                path = f"{schema}/functions/{_slug(name)}.md"
                pages[path] = function_page(db, schema, rows)
                index.append(f"- [`{name}`]({path}) {_first_sentence(rows[0][9])}".rstrip())
            index.append("")
    pages["README.md"] = "\n".join(index).rstrip() + "\n"
    return pages


def _first_sentence(comment: str | None) -> str:
    if not comment:
        return ""
    text = " ".join(comment.split())
    end = text.find(". ")
    return "— " + (text if end == -1 else text[: end + 1])


def stale(pages: dict[str, str], output: Path) -> list[str]:
    """The pages that differ from the files, and the files no page has."""
    on_disk = {path.relative_to(output).as_posix() for path in output.rglob("*.md")}
    changed = [path for path, text in pages.items()
               if path not in on_disk or (output / path).read_text() != text]
    return sorted(changed + sorted(on_disk - set(pages)))


def write(pages: dict[str, str], output: Path) -> None:
    for path in output.rglob("*.md"):
        if path.relative_to(output).as_posix() not in pages:
            path.unlink()
    for path, text in pages.items():
        (output / path).parent.mkdir(parents=True, exist_ok=True)
        (output / path).write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support_dev.schemadocs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db-url", default=os.environ.get("SUPABASE_DB_URL"))
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the pages are stale")
    args = parser.parse_args(argv)
    if not args.db_url:
        parser.error("set SUPABASE_DB_URL or pass --db-url")
    with psycopg.connect(args.db_url) as db:
        pages = render(db)
    if args.check:
        changed = stale(pages, args.output)
        for path in changed:
            print(f"{args.output / path} is stale: run {COMMAND}", file=sys.stderr)
        return 1 if changed else 0
    write(pages, args.output)
    print(f"wrote {len(pages)} pages under {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
