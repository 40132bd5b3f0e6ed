"""xAPI: the statement profile, statement building from learning events, and the outbox."""
