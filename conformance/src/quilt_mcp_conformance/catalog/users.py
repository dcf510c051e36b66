"""Users, roles and the bearer credentials a registry accepts.

Model: a *role* grants a set of buckets (read and write); each *user* has
exactly one role. Every GraphQL answer, search hit and credential is scoped
to the caller's role.

Bearers, as a Quilt registry accepts them:

- registry tokens: HS256 JWTs signed with the catalog's secret, claims
  ``id`` (the user's id, a UUID derived from the user name), ``uuid`` (this
  token's id, revocable) and ``exp``;
- API keys: ``qk_`` followed by random URL-safe text, issued per user and
  revocable.

A token is never logged and never part of a repr or an error text.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import jwt

API_KEY_PREFIX = "qk_"
ALGORITHM = "HS256"
DEFAULT_TTL = 3600.0
_USER_NAMESPACE = uuid.UUID("6f1d0a8e-5c51-4f0b-9a43-9d1c6a0d7a11")


def user_id(name: str) -> str:
    """The stable user id (a UUID string) of user ``name``, as carried in a token's ``id`` claim."""
    return str(uuid.uuid5(_USER_NAMESPACE, name))


def mint_token(secret: str, name: str, ttl: float = DEFAULT_TTL) -> str:
    """A registry token for user ``name`` valid ``ttl`` seconds (negative: already expired)."""
    claims = {"id": user_id(name), "uuid": str(uuid.uuid4()), "exp": int(time.time() + ttl)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def token_uuid(token: str) -> str | None:
    """The ``uuid`` claim of a registry token, read without verifying it; None when unreadable."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    except jwt.PyJWTError:
        return None
    value = claims.get("uuid")
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class User:
    """A catalog user: ``name`` (also the login), ``role``, ``email``, ``admin``."""

    name: str
    role: str
    email: str
    admin: bool = False

    @property
    def id(self) -> str:
        return user_id(self.name)


class AuthError(Exception):
    """A bearer was refused; the message says why (never quoting the bearer)."""


@dataclass
class Directory:
    """The catalog's users, roles, signing secret and revocations (thread-safe).

    ``roles`` maps a role name to the buckets it grants; ``users`` maps a
    user name to its role. ``authenticate`` returns the user a bearer acts
    for or raises ``AuthError``.
    """

    secret: str = field(repr=False)
    roles: dict[str, set[str]]
    users: dict[str, User]
    _by_id: dict[str, User] = field(default_factory=dict, repr=False)
    _api_keys: dict[str, str] = field(default_factory=dict, repr=False)
    _revoked: set[str] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {user.id: user for user in self.users.values()}

    @classmethod
    def from_config(cls, secret: str, roles: Mapping[str, Iterable[str]], users: Mapping[str, str]) -> Directory:
        """Build from ``roles`` (role -> buckets) and ``users`` (user -> role); ValueError on an unknown role."""
        unknown = {role for role in users.values() if role not in roles}
        if unknown:
            raise ValueError(f"users name roles that are not defined: {sorted(unknown)}")
        return cls(
            secret=secret,
            roles={name: set(buckets) for name, buckets in roles.items()},
            users={name: User(name, role, f"{name}@example.com") for name, role in users.items()},
        )

    def buckets_of(self, user: User) -> set[str]:
        """The buckets ``user``'s role grants now (a copy)."""
        with self._lock:
            return set(self.roles.get(user.role, ()))

    def grant(self, role: str, buckets: Iterable[str]) -> None:
        """Add ``buckets`` to ``role`` (created when new)."""
        with self._lock:
            self.roles.setdefault(role, set()).update(buckets)

    def issue_api_key(self, name: str) -> str:
        """A new ``qk_`` API key for user ``name``; KeyError for an unknown user."""
        user = self.users[name]
        key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        with self._lock:
            self._api_keys[_digest(key)] = user.name
        return key

    def revoke(self, bearer: str) -> bool:
        """Revoke a registry token (by its ``uuid``) or an API key; False when it names nothing revocable."""
        if bearer.startswith(API_KEY_PREFIX):
            with self._lock:
                return self._api_keys.pop(_digest(bearer), None) is not None
        token_id = token_uuid(bearer)
        if token_id is None:
            return False
        with self._lock:
            self._revoked.add(token_id)
        return True

    def authenticate(self, bearer: str | None) -> User:
        """The user ``bearer`` acts for; AuthError when missing, malformed, forged, expired, revoked or unknown."""
        if not bearer:
            raise AuthError("no bearer token: send 'Authorization: Bearer <registry token or qk_ API key>'")
        if bearer.startswith(API_KEY_PREFIX):
            with self._lock:
                name = self._api_keys.get(_digest(bearer))
            if name is None:
                raise AuthError("unknown or revoked API key")
            return self.users[name]
        try:
            claims = jwt.decode(
                bearer, self.secret, algorithms=[ALGORITHM], options={"require": ["exp", "id", "uuid"]}
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired: refresh it (POST /api/token) or log in again") from None
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token ({type(exc).__name__})") from None
        with self._lock:
            revoked = claims["uuid"] in self._revoked
        if revoked:
            raise AuthError("token revoked: log in again")
        user = self._by_id.get(str(claims["id"]))
        if user is None:
            raise AuthError("token names no user of this catalog")
        return user


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
