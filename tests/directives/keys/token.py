"""The tests' SoftHSM2 token: built by the project's development-token module
(directives/documents/keys/devtoken.py), which the keys' tests (conftest.py `softhsm_token`) and
`make bench` (tests/bench/sign2.py) use through these names."""

from directives.documents.keys.devtoken import (
    AGENCY,
    KEYS,
    SO_PIN,
    SOFTHSM_MODULE,
    TOKEN_LABEL,
    USER_PIN,
    DevToken,
    softhsm_available,
    softhsm_token_at,
    softhsm_token_create,
)

__all__ = [
    "AGENCY",
    "KEYS",
    "SOFTHSM_MODULE",
    "SO_PIN",
    "TOKEN_LABEL",
    "USER_PIN",
    "DevToken",
    "softhsm_available",
    "softhsm_token_at",
    "softhsm_token_create",
]
