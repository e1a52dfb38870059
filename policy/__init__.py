"""The project's CrossGuard policy pack (see README.md here); `policy.offline` runs it over a recording."""
