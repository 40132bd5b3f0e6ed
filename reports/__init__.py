"""Manager reports: completion by course, organisation and role, scoped to the manager."""
