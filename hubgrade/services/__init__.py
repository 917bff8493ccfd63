"""Datastores that run beside the learner's server: Redis, PostgreSQL, MySQL, MongoDB."""
