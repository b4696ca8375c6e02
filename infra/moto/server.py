"""The local AWS stand-in: moto's server, single-threaded, exiting when the process that started it dies.

Single-threaded on purpose: moto applies a TransactWriteItems call as one Python function, so serving one
request at a time makes transactions atomic against each other, as DynamoDB's are.

Beside moto, `LocalSes` plays what a deployment and the SES console do: it verifies the sending domain
(SES refuses unverified senders, as moto does) and reads back the raw messages moto recorded, with the
message tags they were sent with (moto keeps no tags), for the local outbox and the mailbox simulator.

Two patches. Queries read only what they return (query_index.py), as DynamoDB's do; moto's own walk
reads the whole table for every Query. And moto backs up a transaction by deep-copying the whole table once
per action, which makes every transaction cost O(table size). Here a transaction backs up only the items it touches, and restores them
if it fails; the outcome is the same, the cost no longer grows with the table.
"""

import copy
import hashlib
import io
import json
import os
import sys
import threading
import time
import urllib.parse

import moto.dynamodb.models as dynamodb_models
import query_index
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


class _CopyExceptTables:
    """The `copy` module as moto's DynamoDB backend sees it, except that tables are not deep-copied."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _touched_keys(backend, transact_items):
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue
        source = op.get("Key") or op.get("Item") or {}
        if table.hash_key_attr not in source:
            continue
        hash_key = DynamoType(source[table.hash_key_attr])
        range_key = None
        if table.range_key_attr is not None and table.range_key_attr in source:
            range_key = DynamoType(source[table.range_key_attr])
        yield table, hash_key, range_key


def _restore(table, hash_key, range_key, item):
    if range_key is not None:
        bucket = table.items[hash_key]
        if item is None:
            bucket.pop(range_key, None)
            if not bucket:
                table.items.pop(hash_key, None)
        else:
            bucket[range_key] = item
    elif item is None:
        table.items.pop(hash_key, None)
    else:
        table.items[hash_key] = item


def _patch_transactions():
    dynamodb_models.copy = _CopyExceptTables()
    original = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        backup = [
            (table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key)))
            for table, hash_key, range_key in _touched_keys(self, transact_items)
        ]
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(backup):
                _restore(table, hash_key, range_key, item)
                query_index.reindex(table, hash_key, range_key)
            raise

    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items


class LocalSes:
    """`POST /__switchboard/ses/verify-domain?domain=…` and `GET /__switchboard/ses/sent?after=N`."""

    region = "us-east-1"

    def __init__(self, app):
        self.app = app
        self.tags = {}
        # Identities verified through verify-domain: SES would show their DKIM records as found.
        self.verified = set()

    def backend(self):
        return ses_backends[DEFAULT_ACCOUNT_ID][self.region]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        query = dict(pair.split("=", 1) for pair in environ.get("QUERY_STRING", "").split("&") if "=" in pair)
        if path == "/__switchboard/ses/verify-domain":
            self.backend().verify_domain(query.get("domain", ""))
            self.verified.add(query.get("domain", "").lower())
            start_response("204 No Content", [])
            return [b""]
        if path == "/__switchboard/ses/sent":
            after = int(query.get("after", "0"))
            sent = [
                {
                    "seq": seq,
                    "message_id": message.id,
                    "source": message.source,
                    "destinations": message.destinations,
                    "raw": message.raw_data,
                    "tags": self.tags.get(message.id, {}),
                }
                for seq, message in enumerate(self.backend().sent_messages, start=1)
                if seq > after and hasattr(message, "raw_data")
            ]
            body = json.dumps({"messages": sent}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        if path == "/v2/email/outbound-emails" and environ.get("REQUEST_METHOD") == "POST":
            return self.send_email(environ, start_response)
        identity = path.removeprefix("/v2/email/identities/")
        if identity != path and "/" not in identity and environ.get("REQUEST_METHOD") == "GET":
            return self.get_email_identity(urllib.parse.unquote(identity), environ, start_response)
        return self.app(environ, start_response)

    def get_email_identity(self, name, environ, start_response):
        """SES v2 GetEmailIdentity, passed to moto, with what moto leaves out of Easy DKIM: the three
        tokens whose CNAME records the domain publishes, and a status that moves once they are found
        (PENDING, or SUCCESS for the domains verify-domain verified)."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.app(environ, capture))
        if captured.get("status", "").startswith("200"):
            try:
                identity = json.loads(body)
                dkim = identity.setdefault("DkimAttributes", {})
                if not dkim.get("Tokens"):
                    digest = hashlib.sha256(name.lower().encode()).hexdigest()
                    dkim["Tokens"] = [hashlib.sha256(f"{digest}{i}".encode()).hexdigest()[:32] for i in range(3)]
                verified = name.lower() in self.verified
                dkim["SigningEnabled"] = True
                dkim["Status"] = "SUCCESS" if verified else "PENDING"
                identity["VerifiedForSendingStatus"] = verified
                body = json.dumps(identity).encode()
                headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
                captured["headers"] = headers + [("Content-Length", str(len(body)))]
            except ValueError:
                pass
        start_response(captured.get("status", "500 Internal Server Error"), captured.get("headers", []))
        return [body]

    def send_email(self, environ, start_response):
        """SES v2 SendEmail, passed to moto, remembering the message's tags by the id moto gives it."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(request)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, capture))
        if captured.get("status", "").startswith("200"):
            try:
                message_id = json.loads(body)["MessageId"]
                tags = json.loads(request).get("EmailTags") or []
                self.tags[message_id] = {tag["Name"]: tag["Value"] for tag in tags}
            except (ValueError, KeyError):
                pass
        return [body]


def exit_with_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(0.5)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    _patch_transactions()
    query_index.install()
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
    app = LocalSes(DomainDispatcherApplication(create_backend_app))
    run_simple(host, port, app, threaded=False, use_reloader=False, use_debugger=False)


if __name__ == "__main__":
    main()
