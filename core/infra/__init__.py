"""Infrastructure the domain stands on: settings, engines, encryption, keyed lookups,
the one clock, health checks and migrations."""
