"""Auto-triage: suggests a ticket's type and priority and a feedback entry's category.

Runs off the request path (`support-triage run`), stores suggestions beside the items in
public.triage_suggestions and learns from the seed set in support_triage/seed plus the
decisions staff record with public.support_decide_suggestion (public.triage_labels).
"""
