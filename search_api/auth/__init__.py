"""Accounts, roles, sessions and API tokens of the editor workspace.

Residents are anonymous (no account); editors and admins sign in. Tokens are
opaque random strings of which only a keyed hash is stored — see ``tokens``.
"""
