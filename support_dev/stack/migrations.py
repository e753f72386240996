"""Splits a migration into statements, as the Supabase CLI records them."""

import re

_DOLLAR_TAG = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*\$|\$\$")


def split_statements(sql: str) -> list[str]:
    """The statements of `sql`, each without its trailing semicolon.

    Semicolons inside quotes, quoted identifiers, dollar-quoted bodies and comments do not
    end a statement.
    """
    statements: list[str] = []
    start = index = 0
    length = len(sql)
    while index < length:
        char = sql[index]
        if char in "'\"":
            end = sql.find(char, index + 1)
            while end != -1 and sql[end + 1 : end + 2] == char:
                end = sql.find(char, end + 2)
            index = length if end == -1 else end + 1
        elif sql.startswith("--", index):
            end = sql.find("\n", index)
            index = length if end == -1 else end + 1
        elif sql.startswith("/*", index):
            end = sql.find("*/", index + 2)
            index = length if end == -1 else end + 2
        elif char == "$" and (tag := _DOLLAR_TAG.match(sql, index)):
            end = sql.find(tag.group(), tag.end())
            index = length if end == -1 else end + len(tag.group())
        elif char == ";":
            statements.append(sql[start:index])
            index += 1
            start = index
        else:
            index += 1
    statements.append(sql[start:])
    return [s.strip() for s in statements if _has_code(s)]


def _has_code(statement: str) -> bool:
    without_comments = re.sub(r"--[^\n]*|/\*.*?\*/", "", statement, flags=re.S)
    return bool(without_comments.strip())
