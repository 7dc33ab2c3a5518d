"""Remote signing through the Cloud Signature Consortium API (v1), with pyHanko's CSC signer.

The portal logs in with its client ID (secret: SIGNING_REMOTE_CLIENT_SECRET), reads the
credential's certificate chain (credentials/info), and for each signature asks for activation
data bound to the hash (credentials/authorize, with the PIN or OTP the signer entered) before
signatures/signHash returns the signature value. Only the hash leaves the portal.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from pathlib import Path

import aiohttp
from django.conf import settings
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

from directives.documents.keys.errors import RemoteSigningUnavailable, WrongPin
from directives.documents.signing import SigningKey, _organisation_of
from recipients.models import SigningKeyStore

TIMEOUT = aiohttp.ClientTimeout(total=60)
# CSC error codes that mean the user's PIN or one-time password was refused.
PIN_ERRORS = {"invalid_pin", "invalid_otp", "invalid_password", "access_denied"}


async def _post(
    http: aiohttp.ClientSession, info: CSCServiceSessionInfo, endpoint: str, body: dict, **kw
) -> dict:
    url = info.endpoint_url(endpoint)
    try:
        async with http.post(url, json=body, timeout=TIMEOUT, **kw) as response:
            data = await response.json(content_type=None)
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        raise RemoteSigningUnavailable(f"{url}: {exc!r}", reason=type(exc).__name__) from exc
    if response.status >= 400:
        error = (data or {}).get("error", "") if isinstance(data, dict) else ""
        if error in PIN_ERRORS:
            raise WrongPin(f"{url}: {error}")
        reason = (data or {}).get("error_description") if isinstance(data, dict) else ""
        raise RemoteSigningUnavailable(
            f"{url}: HTTP {response.status} {data!r}", reason=reason or f"HTTP {response.status}"
        )
    return data


class PinAuthorization(CSCAuthorizationManager):
    """Signature activation data for exactly the hashes about to be signed (SCAL 2)."""

    def __init__(self, info: CSCServiceSessionInfo, credential: CSCCredentialInfo, pin: str | None):
        super().__init__(info, credential)
        self._pin = pin

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        body = self.format_csc_auth_request(
            pin=self._pin, hash_b64s=hash_b64s, description="Ký số văn bản"
        )
        async with aiohttp.ClientSession() as http:
            data = await _post(
                http,
                self.csc_session_info,
                "credentials/authorize",
                body,
                headers=self.auth_headers,
            )
        return self.parse_csc_auth_response(data)


class RemoteSigner(CSCSigner):
    """A CSCSigner whose HTTP session lives inside the event loop pyHanko signs in (each
    `sign_pdf` runs its own), so the key can be opened in plain synchronous code."""

    def __init__(self, auth_manager: CSCAuthorizationManager):
        super().__init__(session=None, auth_manager=auth_manager)  # type: ignore[arg-type]

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run:
            return await super().async_sign_raw(data, digest_algorithm, dry_run=True)
        async with aiohttp.ClientSession() as http:
            self.session = http
            try:
                return await super().async_sign_raw(data, digest_algorithm)
            except SigningError as exc:
                raise RemoteSigningUnavailable(repr(exc), reason=str(exc)) from exc
            finally:
                self.session = None


def _basic(client_id: str) -> str:
    pair = f"{client_id}:{settings.SIGNING_REMOTE_CLIENT_SECRET}".encode()
    return base64.b64encode(pair).decode("ascii")


async def _credential(store: SigningKeyStore) -> tuple[CSCServiceSessionInfo, CSCCredentialInfo]:
    info = CSCServiceSessionInfo(
        service_url=store.service_url.rstrip("/"), credential_id=store.credential_id
    )
    async with aiohttp.ClientSession() as http:
        if store.client_id:
            login = await _post(
                http,
                info,
                "auth/login",
                {"rememberMe": False},
                headers={"Authorization": f"Basic {_basic(store.client_id)}"},
            )
            info = dataclasses.replace(info, oauth_token=login.get("access_token"))
        try:
            credential = await fetch_certs_in_csc_credential(http, info)
        except SigningError as exc:
            raise RemoteSigningUnavailable(repr(exc), reason=str(exc)) from exc
    return info, credential


def open_remote(store: SigningKeyStore, pin: str | None) -> SigningKey:
    info, credential = asyncio.run(_credential(store))
    signer = RemoteSigner(PinAuthorization(info, credential, pin))
    return SigningKey(
        signer=signer,
        organisation=_organisation_of(credential.signing_cert),
        path=Path(store.credential_id),
    )
