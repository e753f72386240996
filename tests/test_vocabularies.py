"""The vocabularies' rows against what the API documents: the OpenAPI document's enumerations
list exactly the codes of public.ticket_types, ticket_priorities, ticket_statuses,
feedback_categories and feedback_statuses (tests/vocabulary_check.py). The check truly
compares: tests/dashboard/test_vocabulary_acceptance.py adds a row and sees it reported."""

from __future__ import annotations

from vocabulary_check import enum_sites, openapi_mismatches, vocabulary_codes

from support_api.openapi import openapi_document


def test_the_openapi_enumerations_are_the_vocabularies_rows(db):
    assert openapi_mismatches(openapi_document(), vocabulary_codes(db)) == []


def test_every_field_of_a_vocabulary_in_the_openapi_document_has_an_enumeration():
    sites = enum_sites(openapi_document())
    # The create bodies, the answers and the list filters: ticket_type, priority, both statuses
    # and the category, each somewhere.
    assert {vocabulary for _, vocabulary, _ in sites} == {
        "ticket_types", "ticket_priorities", "ticket_statuses", "feedback_categories",
        "feedback_statuses"}
    assert all(enum for _, _, enum in sites)


def test_a_missing_value_is_reported(db):
    codes = vocabulary_codes(db)
    grown = {**codes, "ticket_types": [*codes["ticket_types"], "refund"]}
    reported = openapi_mismatches(openapi_document(), grown)
    assert "components.schemas.CreateTicketRequest.ticket_type" in "\n".join(reported)
    assert all("ticket_types" in line for line in reported)
