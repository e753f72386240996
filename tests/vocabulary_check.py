"""The OpenAPI document's enumerations against the vocabularies' rows (public.ticket_types,
...): every property and parameter that carries a vocabulary's value lists exactly its codes,
in position order. Shared by the check itself and the test that adds a row."""

from __future__ import annotations

from typing import Any

# A property or parameter of this name takes a value of this vocabulary; `status` is a ticket's
# status except in the feedback and board schemas and routes (a public post's status is a
# feedback status).
VOCABULARY_OF = {
    "ticket_type": "ticket_types",
    "priority": "ticket_priorities",
    "category": "feedback_categories",
    "status": "ticket_statuses",
}


def _vocabulary(name: str, where: str) -> str:
    if name == "status" and ("eedback" in where or "oard" in where):
        return "feedback_statuses"
    return VOCABULARY_OF[name]


def enum_sites(document: dict[str, Any]) -> list[tuple[str, str, list[str] | None]]:
    """(where, vocabulary, enum) for every string schema of a vocabulary's field."""
    sites: list[tuple[str, str, list[str] | None]] = []
    for name, schema in document["components"]["schemas"].items():
        for field, sub in schema.get("properties", {}).items():
            if field in VOCABULARY_OF and sub.get("type") == "string":
                where = f"components.schemas.{name}.{field}"
                sites.append((where, _vocabulary(field, where), sub.get("enum")))
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("name") in VOCABULARY_OF:
                    where = f"{method.upper()} {path} ?{parameter['name']}"
                    sites.append((where, _vocabulary(parameter["name"], where),
                                  parameter["schema"].get("enum")))
    return sites


def vocabulary_codes(db: Any) -> dict[str, list[str]]:
    """The codes of each vocabulary, in position order, read by `db` (a psycopg connection)."""
    return {
        table: [row[0] for row in db.execute(
            f"select code from public.{table} order by position").fetchall()]
        for table in sorted(set(VOCABULARY_OF.values()) | {"feedback_statuses"})
    }


def openapi_mismatches(document: dict[str, Any], codes: dict[str, list[str]]) -> list[str]:
    """One line per site whose enum is not its vocabulary's codes; empty when all agree."""
    return [
        f"{where}: enum {enum} but {vocabulary} holds {codes[vocabulary]}"
        for where, vocabulary, enum in enum_sites(document)
        if enum != codes[vocabulary]
    ]
