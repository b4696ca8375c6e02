"""The local AWS stand-in: moto's server, single-threaded, exiting when the process that started it dies.

Single-threaded on purpose: moto applies a TransactWriteItems call as one Python function, so serving one
request at a time makes transactions atomic against each other, as DynamoDB's are.

Two patches. Queries read only what they return (query_index.py), as DynamoDB's do; moto's own walk
reads the whole table for every Query. And moto backs up a transaction by deep-copying the whole table once
per action, which makes every transaction cost O(table size). Here a transaction backs up only the items it touches, and restores them
if it fails; the outcome is the same, the cost no longer grows with the table.
"""

import copy
import os
import sys
import threading
import time

import moto.dynamodb.models as dynamodb_models
import query_index
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
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
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, use_reloader=False, use_debugger=False)


if __name__ == "__main__":
    main()
