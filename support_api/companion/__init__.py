"""The companion bot's side of the API, in three parts:

- `vocabulary`: what the bot understands (intents and their phrases) and what it says;
- `helper`: the contract's in-process helper, `create_ticket_from_companion`, and its errors;
- `route`: POST /api/companion/messages, where the bot sends what a user wrote.

All three reach PostgREST through `support_api.postgrest`, as the user (a JWT minted for a
minute), so the database applies the same rules as on every other path.
"""
