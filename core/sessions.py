"""Database sessions whose table holds a hash of each session key, never the key itself.

A session key is a bearer credential: whoever has the cookie value is logged in. With Django's own
database backend, `django_session` holds the keys in clear, so a dump (a backup, a replica, a support
extract) hands over every live session. Here a row's key is a BLAKE2b digest of the cookie value
(160 bits, the column's 40 characters): the browser's cookie still finds its row, while the table's
contents open nothing. Rows written before this backend (plain keys) no longer match: their users log
in again once. Use with SESSION_ENGINE = "core.sessions".
"""

import hashlib

from django.contrib.sessions.backends import db
from django.utils import timezone


def stored_key(session_key: str) -> str:
    return hashlib.blake2b(session_key.encode(), digest_size=20, person=b"callbot-session").hexdigest()


class SessionStore(db.SessionStore):
    """Django's database store with every read, write and delete made on stored_key(cookie value)."""

    def _row(self, session_key):
        return self.model.objects.filter(session_key=stored_key(session_key))

    def _get_session_from_db(self):
        session = self._row(self.session_key).filter(expire_date__gt=timezone.now()).first()
        if session is None:
            self._session_key = None
        return session

    async def _aget_session_from_db(self):
        session = await self._row(self.session_key).filter(expire_date__gt=timezone.now()).afirst()
        if session is None:
            self._session_key = None
        return session

    def exists(self, session_key):
        return self._row(session_key).exists()

    async def aexists(self, session_key):
        return await self._row(session_key).aexists()

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.session_key = stored_key(instance.session_key)
        return instance

    async def acreate_model_instance(self, data):
        instance = await super().acreate_model_instance(data)
        instance.session_key = stored_key(instance.session_key)
        return instance

    def delete(self, session_key=None):
        session_key = self.session_key if session_key is None else session_key
        if session_key is not None:
            self._row(session_key).delete()

    async def adelete(self, session_key=None):
        session_key = self.session_key if session_key is None else session_key
        if session_key is not None:
            await self._row(session_key).adelete()
