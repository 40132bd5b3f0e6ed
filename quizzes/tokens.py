"""Per-attempt tokens: what the attempt form shows instead of the stable ids.

The stable ids (Wagtail's block UUIDs) are the same in every attempt, and a matching pair had
one id for its prompt and its answer, so a form built on them gave answers away (the field
named after a prompt took the option whose value was that same id). A token is random, made for
one attempt and one role (an option, an ordering item, a matching prompt, a matching answer),
stored in the attempt's snapshot and mapped back to the stable id when the answers are parsed;
outside its attempt it means nothing. Every token has the same length and alphabet, so neither
tells one role or one option from another.

Snapshots made before tokens existed have none; ``token`` then falls back to the stable id,
so those attempts keep being graded and reviewed exactly as before, and ``tokens_add`` gives an
old attempt that is still open its tokens before its form is served again.
"""

import secrets

TOKEN_BYTES = 8  # 16 hex characters: unique within an attempt, and unguessable for a forger

# The snapshot key of each token, by the list that holds the entries.
ROLES = {"options": ("token",), "items": ("token",), "pairs": ("prompt_token", "match_token")}


def token_new(taken: set[str]) -> str:
    """A random token not in ``taken`` (which it joins), from the OS's CSPRNG."""
    while True:
        value = secrets.token_hex(TOKEN_BYTES)
        if value not in taken:
            taken.add(value)
            return value


def token(entry: dict, key: str = "token") -> str:
    """The token the form uses for ``entry``; its stable id in a snapshot without tokens."""
    return entry.get(key) or entry["id"]


def tokens_missing(questions: list[dict]) -> bool:
    """Whether any entry of the snapshot lacks a token (a snapshot made before tokens)."""
    return any(
        not entry.get(key)
        for question in questions
        for list_key, keys in ROLES.items()
        for entry in question.get(list_key) or []
        for key in keys
    )


def tokens_add(questions: list[dict]) -> list[dict]:
    """Give every entry of the snapshot its tokens (keeping those it has), in place."""
    taken = {
        entry[key]
        for question in questions
        for list_key, keys in ROLES.items()
        for entry in question.get(list_key) or []
        for key in keys
        if entry.get(key)
    }
    for question in questions:
        for list_key, keys in ROLES.items():
            for entry in question.get(list_key) or []:
                for key in keys:
                    if not entry.get(key):
                        entry[key] = token_new(taken)
    return questions
