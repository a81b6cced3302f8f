// Placeholder until the PostgreSQL test harness lands; delete it then.
