"""A server password kept in the operating system's keyring, only when the user asks for it.

libpq finds a password by itself in ``PGPASSWORD``, ``~/.pgpass`` or a ``PGSERVICE`` entry;
KPI Desk never writes one into its settings or its log. The app asks for it when the server
wants one, and keeps it in the keyring (the ``keyring`` package: the Secret Service, macOS
Keychain, Windows Credential Locker) only if "remember" is ticked. The command line uses a
remembered password when libpq has none. Every failure of the keyring (none installed, a
locked one) counts as "no password remembered": it never stops a connection.
"""

from __future__ import annotations

import logging

from kpidesk.store.location import ServerAddress

log = logging.getLogger(__name__)

SERVICE = "KPI Desk"


def stored_password(address: ServerAddress) -> str | None:
    """The password remembered for ``address`` (user, server and database), or None."""
    try:
        import keyring

        return keyring.get_password(SERVICE, address.identity)
    except Exception as error:  # no keyring backend, a locked or broken keyring
        log.info("no password from the keyring: %s", type(error).__name__)
        return None


def remember_password(address: ServerAddress, password: str) -> bool:
    """Keep the password in the keyring; False when there is no keyring to keep it in."""
    try:
        import keyring

        keyring.set_password(SERVICE, address.identity, password)
    except Exception as error:
        log.info("the keyring did not keep the password: %s", type(error).__name__)
        return False
    return True


def forget_password(address: ServerAddress) -> None:
    try:
        import keyring

        keyring.delete_password(SERVICE, address.identity)
    except Exception as error:  # nothing remembered, or no keyring
        log.info("no password forgotten: %s", type(error).__name__)
