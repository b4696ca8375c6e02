"""What one index Query costs the stand-in at two table sizes, with moto's own walk and with query_index.py.

A table shaped like ours (PK/SK, GSI1 with a string sort key), `small` and `large` items spread over
workspaces of 1,000; the same Queries on one workspace's GSI1 partition at both sizes: one that finds
nothing, and a 25-item page. DynamoDB's cost is the same at both sizes; the walk's grows with the table.
`.venv/stack/bin/python infra/moto/bench_query_index.py [small] [large] [queries]` (defaults 1000 100000 20).
"""

import sys
import time

import boto3
from moto import mock_aws
from moto.dynamodb.models.table import Table

import query_index

TABLE = "bench"
PER_WORKSPACE = 1_000


def create(client):
    client.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ["PK", "SK", "GSI1PK", "GSI1SK"]],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "GSI1", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"}, {"AttributeName": "GSI1SK", "KeyType": "RANGE"}],
        }],
    )


def load(client, count):
    batch = []
    for index in range(count):
        workspace = index // PER_WORKSPACE
        batch.append({"PutRequest": {"Item": {
            "PK": {"S": f"WS#{workspace}"}, "SK": {"S": f"TICKET#{index:08}"},
            "GSI1PK": {"S": f"INBOX#{workspace}"}, "GSI1SK": {"S": f"OPEN#{index:08}"},
            "subject": {"S": f"Open ticket {index}"},
        }}})
        if len(batch) == 25:
            client.batch_write_item(RequestItems={TABLE: batch})
            batch = []
    if batch:
        client.batch_write_item(RequestItems={TABLE: batch})


def timed(client, queries, **query):
    started = time.perf_counter()
    for _ in range(queries):
        client.query(TableName=TABLE, IndexName="GSI1", **query)
    return (time.perf_counter() - started) * 1000 / queries


def measure(size, queries):
    """ms per (empty query, 25-item page), indexed and walked, at `size` items."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create(client)
        load(client, size)
        empty = {"KeyConditionExpression": "GSI1PK = :p AND begins_with(GSI1SK, :s)",
                 "ExpressionAttributeValues": {":p": {"S": "INBOX#0"}, ":s": {"S": "CLOSED#"}}}
        page = {"KeyConditionExpression": "GSI1PK = :p AND begins_with(GSI1SK, :s)", "Limit": 25,
                "ExpressionAttributeValues": {":p": {"S": "INBOX#0"}, ":s": {"S": "OPEN#"}}}
        # The first Query builds the sorted orders from the table (the stack builds them while it is
        # small, then keeps them on every write): not part of a query's cost.
        timed(client, 1, **empty)
        indexed = (timed(client, queries, **empty), timed(client, queries, **page))
        Table.query = WALK
        walked = (timed(client, max(1, queries // 10), **empty), timed(client, max(1, queries // 10), **page))
        Table.query = INDEXED
        return indexed, walked


WALK = query_index.install()
INDEXED = Table.query

if __name__ == "__main__":
    small, large, queries = (int(a) for a in (sys.argv[1:] + ["1000", "100000", "20"][len(sys.argv) - 1:]))
    results = {size: measure(size, queries) for size in (small, large)}
    print("# Index Queries in the local stand-in\n")
    print(f"- command: `.venv/stack/bin/python infra/moto/bench_query_index.py {small} {large} {queries}`")
    print("- target: an index Query's time at the large size ≤ 1.5× its time at the small one, as in DynamoDB\n")
    print(f"| stand-in | query | {small} items ms | {large} items ms | ratio |")
    print("|---|---|---:|---:|---:|")
    for label, at in (("indexed (query_index.py)", 0), ("moto's own walk", 1)):
        for name, which in (("empty index query", 0), ("25-item index page", 1)):
            a, b = results[small][at][which], results[large][at][which]
            print(f"| {label} | {name} | {a:.2f} | {b:.2f} | {b / a:.2f} |")
