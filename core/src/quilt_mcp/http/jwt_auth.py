"""``--auth jwt``: bearer tokens verified locally, with pyjwt.

Why not fastmcp's ``JWTVerifier``: it accepts tokens without ``exp``, leaves
``iss`` optional, never checks ``nbf``, has no leeway, and refuses a token
lacking a required scope with 401 where the MCP authorization spec asks for
403 ``insufficient_scope``. This verifier requires ``exp``, ``iss`` and
``aud``, checks ``nbf`` when present (both with a small leeway), accepts only
an explicit list of algorithms - never ``none``, and never an HMAC algorithm
with a public key (nor an asymmetric one with a secret) - and returns the
token's scopes so required scopes are enforced with 403 by the transport.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import anyio
import jwt
from fastmcp.server.auth import AccessToken, TokenVerifier

from quilt_mcp.errors import InvalidInputError
from quilt_mcp.http.settings import OPTIONS, SECRET_ENV, HttpSettings, split_list

log = logging.getLogger("quilt_mcp.http.auth")

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class KeySource:
    """Where the verification key for a token comes from."""

    algorithms: frozenset[str]

    async def key_for(self, token: str) -> Any:
        """The key verifying ``token`` (may fetch a JWKS); raises ``jwt.PyJWTError`` when none fits."""
        raise NotImplementedError


class StaticKey(KeySource):
    """One PEM public key, or one HMAC secret."""

    def __init__(self, key: bytes, algorithms: frozenset[str]) -> None:
        self._key = key
        self.algorithms = algorithms

    def __repr__(self) -> str:
        return f"StaticKey(algorithms={sorted(self.algorithms)})"

    async def key_for(self, token: str) -> Any:
        return self._key


class JwksKeys(KeySource):
    """Keys published at a JWKS URL, cached (pyjwt's ``PyJWKClient``), chosen by the token's ``kid``."""

    def __init__(self, url: str, algorithms: frozenset[str]) -> None:
        self.url = url
        self.algorithms = algorithms
        self._client = jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=5)

    def __repr__(self) -> str:
        return f"JwksKeys({self.url!r})"

    async def key_for(self, token: str) -> Any:
        signing = await anyio.to_thread.run_sync(self._client.get_signing_key_from_jwt, token)
        return signing.key


class JwtVerifier(TokenVerifier):
    """Verifies a JWT's signature, ``iss``, ``aud``, ``exp`` and ``nbf``; see the module docstring."""

    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        leeway: int = 30,
        required_scopes: list[str] | None = None,
        base_url: str | None = None,
    ) -> None:
        super().__init__(base_url=base_url, required_scopes=required_scopes)
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway

    def __repr__(self) -> str:
        return f"JwtVerifier(keys={self.keys!r}, issuer={self.issuer!r}, audience={self.audience!r})"

    async def verify_token(self, token: str) -> AccessToken | None:
        """The token's identity and scopes, or None (logged by reason, never with the token)."""
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            if algorithm not in self.keys.algorithms:
                raise jwt.InvalidAlgorithmError(f"algorithm {str(algorithm)[:16]!r} is not accepted")
            claims = jwt.decode(
                token,
                await self.keys.key_for(token),
                algorithms=[algorithm],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as err:
            log.info("token refused: %s", _reason(err))
            return None
        subject = str(claims.get("sub") or claims.get("client_id") or claims.get("azp") or "unknown")
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or subject),
            subject=subject,
            scopes=_scopes(claims),
            expires_at=int(claims["exp"]) + self.leeway,  # the transport refuses past this; so do caches
            claims=claims,
        )


def _reason(err: jwt.PyJWTError) -> str:
    """Why a token was refused, from pyjwt's exception type (its messages are not shown: they may quote input)."""
    return {
        jwt.ExpiredSignatureError: "expired",
        jwt.ImmatureSignatureError: "not yet valid (nbf/iat)",
        jwt.InvalidIssuerError: "wrong issuer",
        jwt.InvalidAudienceError: "wrong audience",
        jwt.InvalidSignatureError: "bad signature",
        jwt.InvalidAlgorithmError: "algorithm not accepted",
        jwt.MissingRequiredClaimError: "a required claim (exp, iss, aud) is missing",
        jwt.PyJWKClientError: "no matching key in the JWKS",
    }.get(type(err), f"malformed ({type(err).__name__})")


def _scopes(claims: dict[str, Any]) -> list[str]:
    """Scopes from ``scope`` (space-separated, RFC 8693) or ``scp`` (a list or a string)."""
    value = claims.get("scope", claims.get("scp", ""))
    return [str(s) for s in value] if isinstance(value, list) else split_list(str(value))


def jwt_verifier(settings: HttpSettings, env: dict[str, str]) -> JwtVerifier:
    """The verifier ``settings`` describe; ``InvalidInputError`` saying what to fix when they cannot verify."""
    if not settings.jwt_issuer:
        raise InvalidInputError(
            "--auth jwt needs the tokens' issuer.", f"Pass --jwt-issuer URL or set {OPTIONS['jwt_issuer'].env}."
        )
    return JwtVerifier(
        _key_source(settings, env),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience or settings.resource_url,
        leeway=settings.jwt_leeway,
        required_scopes=settings.scopes,
        base_url=settings.base_url,
    )


def _key_source(settings: HttpSettings, env: dict[str, str]) -> KeySource:
    secret_file, pem_file, jwks = settings.jwt_secret_file, settings.jwt_public_key_file, settings.jwt_jwks_url
    secret_env = env.get(SECRET_ENV, "")
    given = [bool(secret_file), bool(secret_env), bool(pem_file), bool(jwks)]
    if sum(given) != 1:
        raise InvalidInputError(
            "--auth jwt needs exactly one verification key source.",
            "Give one of --jwt-jwks-url URL, --jwt-public-key-file PEM, --jwt-secret-file FILE or the "
            f"{SECRET_ENV} environment variable (an HMAC secret).",
        )
    symmetric = bool(secret_file or secret_env)
    algorithms = _algorithms(settings.jwt_algorithms, symmetric)
    if symmetric:
        secret = Path(secret_file).read_bytes().strip() if secret_file else secret_env.encode()
        if len(secret) < 32:
            raise InvalidInputError(
                "The HMAC secret is shorter than 32 bytes.", "Use a random secret of at least 32 bytes."
            )
        return StaticKey(secret, algorithms)
    if pem_file:
        return StaticKey(Path(pem_file).read_bytes(), algorithms)
    return JwksKeys(str(jwks), algorithms)


def _algorithms(value: str | None, symmetric: bool) -> frozenset[str]:
    """The accepted algorithms: given, or the default for the key kind; never mixed with the wrong kind."""
    chosen = frozenset(split_list(value)) or frozenset({"HS256" if symmetric else "RS256"})
    allowed = HMAC_ALGORITHMS if symmetric else ASYMMETRIC_ALGORITHMS
    wrong = sorted(chosen - allowed)
    if wrong:
        kind = "an HMAC secret" if symmetric else "a public key or JWKS"
        raise InvalidInputError(
            f"Algorithms {wrong} cannot be used with {kind}.",
            f"With {kind}, --jwt-algorithms may list only: {', '.join(sorted(allowed))} ('none' is never accepted).",
        )
    return chosen
