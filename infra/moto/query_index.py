"""Queries that cost what they return, as DynamoDB's do.

moto answers every Query, on the table or on an index, by walking every item of the table, then sorting
the matches. That makes an empty index query take seconds at 100k items, so the local stack's inbox page and
SLA scan slow down with the size of the table when in DynamoDB they do not.

This module keeps, per table and per global secondary index, each partition's items in key order (a sorted
list beside the table's own item store, updated on every put, update and delete), and answers a Query by
bisecting to the key condition's range and reading forward or backward only as far as the page needs. What
the Query returns (items, order, ExclusiveStartKey and LastEvaluatedKey handling, Limit counting items before
the filter, the 1 MB page cap, projections) is what moto returns; queries of a shape this module does not
index (local secondary indexes, multi-attribute keys, legacy QueryFilter) fall back to moto's own walk.
"""

import bisect
import copy

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, GlobalSecondaryIndex, Table

BASE = None  # the key of the table's own partitions among a table's orders


class _Partition:
    """One partition of one order, sorted: entries `(sort value, table hash, table range, hash key, range
    key)`, the first three native values (what orders them), the last two the item's keys as moto holds them."""

    __slots__ = ("sort_values", "entries")

    def __init__(self):
        self.sort_values = []
        self.entries = []

    def insert(self, entry):
        at = bisect.bisect_left(self.entries, entry)
        self.entries.insert(at, entry)
        self.sort_values.insert(at, entry[0])

    def remove(self, entry):
        at = bisect.bisect_left(self.entries, entry)
        if at < len(self.entries) and self.entries[at] == entry:
            del self.entries[at]
            del self.sort_values[at]


def _native(value):
    return None if value is None else value.cast_value


def _single_key_schema(index):
    """(hash attribute, range attribute or None) of a GSI this module can order, else None."""
    hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    if len(hashes) != 1 or len(ranges) > 1:
        return None
    return hashes[0], (ranges[0] if ranges else None)


class _Orders:
    """A table's orders: its own partitions and each global secondary index's."""

    def __init__(self, table):
        self.schemas = {BASE: (table.hash_key_attr, table.range_key_attr)}
        for index in table.global_indexes:
            schema = _single_key_schema(index)
            if schema is not None:
                self.schemas[index.name] = schema
        self.partitions = {name: {} for name in self.schemas}
        # Where each item sits, by its primary key: [(order, partition key, entry)].
        self.placed = {}
        # Set when an item's key values cannot be ordered (mixed types): queries then take moto's walk.
        self.broken = False
        for item in table.all_items():
            self.place(table, item.hash_key, item.range_key, item)

    def place(self, table, hash_key, range_key, item):
        try:
            self._place(hash_key, range_key, item)
        except TypeError:
            self.broken = True

    def _place(self, hash_key, range_key, item):
        primary = (_native(hash_key), _native(range_key))
        for order, partition_key, entry in self.placed.pop(primary, ()):
            partition = self.partitions[order].get(partition_key)
            if partition is not None:
                partition.remove(entry)
                if not partition.entries:
                    del self.partitions[order][partition_key]
        if item is None:
            return
        placed = []
        for order, (hash_attr, range_attr) in self.schemas.items():
            partition_value = item.attrs.get(hash_attr)
            if partition_value is None:
                continue  # sparse index: the item is not in it
            if range_attr is None:
                # No sort key: the table's range key orders the partition (as moto does).
                sort_value = primary[1] if order is not BASE else None
            else:
                sort_attr = item.attrs.get(range_attr)
                if sort_attr is None:
                    continue
                sort_value = sort_attr.cast_value
            entry = (sort_value, primary[0], primary[1], hash_key, range_key)
            partition_key = (partition_value.type, partition_value.cast_value)
            self.partitions[order].setdefault(partition_key, _Partition()).insert(entry)
            placed.append((order, partition_key, entry))
        self.placed[primary] = placed


def _orders(table):
    orders = table.__dict__.get("_query_orders")
    if orders is None:
        orders = _Orders(table)
        table.__dict__["_query_orders"] = orders
    return orders


def _reindex(table, hash_key, range_key):
    orders = table.__dict__.get("_query_orders")
    if orders is not None:
        orders.place(table, hash_key, range_key, table.get_item(hash_key, range_key) if _has_key(table, range_key) else None)


def _has_key(table, range_key):
    return range_key is not None or not table.has_range_key


def _successor(prefix):
    """The smallest value greater than every value that starts with `prefix` (None: no such bound)."""
    if isinstance(prefix, str):
        for i in range(len(prefix) - 1, -1, -1):
            if ord(prefix[i]) < 0x10FFFF:
                return prefix[:i] + chr(ord(prefix[i]) + 1)
        return None
    if isinstance(prefix, (bytes, bytearray)):
        for i in range(len(prefix) - 1, -1, -1):
            if prefix[i] < 0xFF:
                return bytes(prefix[:i]) + bytes([prefix[i] + 1])
        return None
    return None


def _bounds(sort_values, comparison, operands):
    """The slice [lo, hi) of a partition whose sort values meet the key condition."""
    n = len(sort_values)
    if comparison is None:
        return 0, n
    values = [o.cast_value for o in operands]
    left, right = bisect.bisect_left, bisect.bisect_right
    if comparison == "EQ":
        return left(sort_values, values[0]), right(sort_values, values[0])
    if comparison == "LT":
        return 0, left(sort_values, values[0])
    if comparison == "LE":
        return 0, right(sort_values, values[0])
    if comparison == "GT":
        return right(sort_values, values[0]), n
    if comparison == "GE":
        return left(sort_values, values[0]), n
    if comparison == "BETWEEN":
        return left(sort_values, values[0]), right(sort_values, values[1])
    if comparison == "BEGINS_WITH":
        prefix = values[0]
        lo = left(sort_values, prefix)
        upper = _successor(prefix)
        if upper is None:
            hi = lo
            while hi < n and sort_values[hi].startswith(prefix):
                hi += 1
            return lo, hi
        return lo, left(sort_values, upper)
    raise LookupError(comparison)


def _indexed_query(table, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                   scan_index_forward, projection_expressions, index_name, filter_expression,
                   hash_key_conditions, range_key_conditions, filter_kwargs):
    """The page of a Query from the sorted orders, or None when the query's shape is not indexed."""
    if filter_kwargs or not table.has_range_key:
        return None
    if range_key_conditions and len(range_key_conditions) > 1:
        return None
    if hash_key_conditions and len(hash_key_conditions) > 1:
        return None
    orders = _orders(table)
    if orders.broken:
        return None
    order = BASE if not index_name else index_name
    if order not in orders.schemas:
        return None
    hash_attr, range_attr = orders.schemas[order]
    if hash_key_conditions:
        if hash_key_conditions[0][0] != hash_attr:
            return None
        partition_value = hash_key_conditions[0][1]
    else:
        partition_value = hash_key
    if partition_value is None:
        return None
    if range_comparison and index_name and range_attr is None:
        return None  # moto refuses this shape; let it say so
    partition = orders.partitions[order].get((partition_value.type, partition_value.cast_value))
    if partition is None:
        lo = hi = 0
        entries = []
    else:
        entries = partition.entries
        try:
            lo, hi = _bounds(partition.sort_values, range_comparison, range_objs)
        except (LookupError, TypeError, AttributeError):
            return None

    if exclusive_start_key is not None:
        try:
            start = _start_entry(table, order, range_attr, exclusive_start_key)
        except (KeyError, TypeError):
            return None
        if scan_index_forward:
            after = bisect.bisect_left(entries, start)
            if after < len(entries) and entries[after][:3] == start:
                after += 1  # the start key's own item is not part of this page
            lo = max(lo, after)
        else:
            hi = min(hi, bisect.bisect_left(entries, start))

    positions = range(lo, hi) if scan_index_forward else range(hi - 1, lo - 1, -1)
    results = []
    result_size = 0
    last_evaluated_key = None
    for at in positions:
        item = table.items[entries[at][3]][entries[at][4]]
        if len(results) == limit or (result_size + item.size()) > RESULT_SIZE_LIMIT:
            last_evaluated_key = table._get_last_evaluated_key(results[-1], index_name)
            break
        results.append(item)
        result_size += item.size()
    scanned_count = len(results)

    results = copy.deepcopy(results)
    if index_name:
        index = table.get_index(index_name)
        results = [index.project(r) for r in results]
    if filter_expression is not None:
        results = [item for item in results if filter_expression.expr(item)]
    if projection_expressions:
        results = [r.project(projection_expressions) for r in results]
    return results, scanned_count, last_evaluated_key


def _start_entry(table, order, range_attr, exclusive_start_key):
    table_hash = DynamoType(exclusive_start_key[table.hash_key_attr]).cast_value
    table_range = DynamoType(exclusive_start_key[table.range_key_attr]).cast_value
    if order is BASE:
        return (table_range, table_hash, table_range)
    if range_attr is None:
        return (table_range, table_hash, table_range)
    return (DynamoType(exclusive_start_key[range_attr]).cast_value, table_hash, table_range)


def _reindex_key(backend, table_name, key):
    try:
        table = backend.get_table(table_name)
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
    except Exception:  # an unknown table or a malformed key: moto has already answered the error
        return
    _reindex(table, hash_key, range_key)


def install():
    """Patch moto's Table so Queries read only the partition range they return; returns moto's own query."""
    original_query = Table.query
    original_put = Table.put_item
    original_delete = Table.delete_item
    original_update = dynamodb_models.DynamoDBBackend.update_item

    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
              projection_expressions, index_name=None, consistent_read=False, filter_expression=None,
              hash_key_conditions=None, range_key_conditions=None, **filter_kwargs):
        if index_name:
            # moto's own validation (unknown index, consistent read on a GSI) keeps answering first.
            names = {i.name: i for i in self.all_indexes()}
            index = names.get(index_name)
            if index is None or (consistent_read and isinstance(index, GlobalSecondaryIndex)):
                return original_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                                      scan_index_forward, projection_expressions, index_name, consistent_read,
                                      filter_expression, hash_key_conditions=hash_key_conditions,
                                      range_key_conditions=range_key_conditions, **filter_kwargs)
        if range_key_conditions and not range_comparison:
            range_comparison = range_key_conditions[-1][1]
            range_objs = range_key_conditions[-1][2]
        answer = _indexed_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                                scan_index_forward, projection_expressions, index_name, filter_expression,
                                hash_key_conditions, range_key_conditions, filter_kwargs)
        if answer is not None:
            return answer
        return original_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                              scan_index_forward, projection_expressions, index_name, consistent_read,
                              filter_expression, hash_key_conditions=hash_key_conditions,
                              range_key_conditions=range_key_conditions, **filter_kwargs)

    def put_item(self, item_attrs, *args, **kwargs):
        item = original_put(self, item_attrs, *args, **kwargs)
        _reindex(self, item.hash_key, item.range_key)
        return item

    def delete_item(self, hash_key, range_key):
        item = original_delete(self, hash_key, range_key)
        if item is not None:
            _reindex(self, hash_key, range_key)
        return item

    def update_item(self, table_name, key, *args, **kwargs):
        try:
            return original_update(self, table_name, key, *args, **kwargs)
        finally:
            _reindex_key(self, table_name, key)

    Table.query = query
    Table.put_item = put_item
    Table.delete_item = delete_item
    dynamodb_models.DynamoDBBackend.update_item = update_item
    return original_query


def reindex(table, hash_key, range_key):
    """Bring the orders up to date for one item written behind moto's back (a rolled-back transaction)."""
    _reindex(table, hash_key, range_key)
