"""Checks that the stand-in's indexed Queries (query_index.py) answer exactly what moto's own walk answers.

Random puts, updates (adding and removing index keys), deletes and transactions (some rolled back) on a
table shaped like ours (PK/SK, a GSI with a string sort key, one with a number sort key, a keys-only one
without a sort key), then the same Queries, paged to the end, through both implementations. Exits non-zero
with the first difference. Run it after changing query_index.py or moving to another moto version:
`.venv/stack/bin/python infra/moto/check_query_index.py [seed] [rounds]` (40 rounds: 1,000 queries).
"""

import random
import sys

import boto3
from moto import mock_aws
from moto.dynamodb.models.table import Table

import query_index
import server

TABLE = "check"
PARTITIONS = ["WS#a", "WS#b", "WS#c"]
PREFIXES = ["TICKET#", "MSG#", "EVT#", "Z", "TICKET#1"]


def create(client):
    client.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": n, "AttributeType": t}
            for n, t in [("PK", "S"), ("SK", "S"), ("G1PK", "S"), ("G1SK", "S"), ("G2PK", "S"), ("G2SK", "N"),
                         ("G3PK", "S")]
        ],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "GSI1", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "G1PK", "KeyType": "HASH"}, {"AttributeName": "G1SK", "KeyType": "RANGE"}]},
            {"IndexName": "GSI2", "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n"]},
             "KeySchema": [{"AttributeName": "G2PK", "KeyType": "HASH"}, {"AttributeName": "G2SK", "KeyType": "RANGE"}]},
            {"IndexName": "GSI3", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "KeySchema": [{"AttributeName": "G3PK", "KeyType": "HASH"}]},
        ],
    )


def random_key(rng):
    return {"PK": {"S": rng.choice(PARTITIONS)},
            "SK": {"S": rng.choice(PREFIXES[:4]) + str(rng.randrange(60)).zfill(rng.choice([1, 3]))}}


def random_item(rng):
    item = dict(random_key(rng))
    item["n"] = {"N": str(rng.randrange(1000))}
    item["body"] = {"S": "x" * rng.randrange(50)}
    if rng.random() < 0.7:
        item["G1PK"] = {"S": "Q#" + rng.choice("ab")}
        item["G1SK"] = {"S": rng.choice(["2026-01-", "2026-02-", "OPEN#"]) + str(rng.randrange(30))}
    if rng.random() < 0.5:
        item["G2PK"] = {"S": "DUE"}
        item["G2SK"] = {"N": str(rng.randrange(-50, 50) / rng.choice([1, 4]))}
    if rng.random() < 0.5:
        item["G3PK"] = {"S": "SET#" + rng.choice("xy")}
    return item


def mutate(client, rng):
    roll = rng.random()
    if roll < 0.45:
        client.put_item(TableName=TABLE, Item=random_item(rng))
    elif roll < 0.7:
        other = random_item(rng)
        if rng.random() < 0.5:
            client.update_item(TableName=TABLE, Key=random_key(rng),
                               UpdateExpression="SET G1PK = :p, G1SK = :s, n = :n",
                               ExpressionAttributeValues={":p": {"S": "Q#a"}, ":s": other.get("G1SK", {"S": "OPEN#9"}),
                                                          ":n": other["n"]})
        else:
            client.update_item(TableName=TABLE, Key=random_key(rng), UpdateExpression="REMOVE G1SK, G2PK")
    elif roll < 0.85:
        client.delete_item(TableName=TABLE, Key=random_key(rng))
    else:
        fails = rng.random() < 0.4
        actions = [{"Put": {"TableName": TABLE, "Item": random_item(rng)}} for _ in range(2)]
        condition = {"ConditionCheck": {"TableName": TABLE, "Key": random_key(rng),
                                        "ConditionExpression": "attribute_exists(nothing_has_this)" if fails
                                        else "attribute_not_exists(nothing_has_this)"}}
        keys = {(a["Put"]["Item"]["PK"]["S"], a["Put"]["Item"]["SK"]["S"]) for a in actions}
        ck = condition["ConditionCheck"]["Key"]
        if len(keys) < 2 or (ck["PK"]["S"], ck["SK"]["S"]) in keys:
            return
        try:
            client.transact_write_items(TransactItems=actions + [condition])
        except client.exceptions.TransactionCanceledException:
            pass


def random_query(rng):
    index = rng.choice([None, "GSI1", "GSI2", "GSI3"])
    names, values = {"#h": "PK"}, {}
    if index is None:
        values[":h"] = {"S": rng.choice(PARTITIONS + ["WS#none"])}
        sort_attr, sort_values = "SK", [p + str(rng.randrange(60)) for p in PREFIXES]
    elif index == "GSI1":
        names["#h"] = "G1PK"
        values[":h"] = {"S": "Q#" + rng.choice("abz")}
        sort_attr, sort_values = "G1SK", ["2026-01-", "2026-02-1", "OPEN#", "2026-01-15", "P"]
    elif index == "GSI2":
        names["#h"] = "G2PK"
        values[":h"] = {"S": "DUE"}
        sort_attr, sort_values = "G2SK", None
    else:
        names["#h"] = "G3PK"
        values[":h"] = {"S": "SET#" + rng.choice("xyz")}
        sort_attr, sort_values = None, None
    condition = "#h = :h"
    if sort_attr is not None and rng.random() < 0.8:
        names["#s"] = sort_attr
        def operand():
            if sort_values is None:
                return {"N": str(rng.randrange(-60, 60) / 2)}
            return {"S": rng.choice(sort_values)}
        op = rng.choice(["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"])
        if op == "begins_with":
            if sort_values is None:
                op = ">="
            else:
                values[":a"] = {"S": rng.choice(sort_values)[: rng.randrange(1, 9)]}
                condition += " AND begins_with(#s, :a)"
        if op == "BETWEEN":
            a, b = operand(), operand()
            if (float(a["N"]) if "N" in a else a["S"]) > (float(b["N"]) if "N" in b else b["S"]):
                a, b = b, a
            values[":a"], values[":b"] = a, b
            condition += " AND #s BETWEEN :a AND :b"
        elif op != "begins_with":
            values[":a"] = operand()
            condition += f" AND #s {op} :a"
    query = {"TableName": TABLE, "KeyConditionExpression": condition, "ExpressionAttributeNames": names,
             "ExpressionAttributeValues": values, "ScanIndexForward": rng.random() < 0.5}
    if index:
        query["IndexName"] = index
    if rng.random() < 0.7:
        query["Limit"] = rng.choice([1, 2, 3, 7, 25])
    if rng.random() < 0.3:
        query["FilterExpression"] = "n > :f"
        query["ExpressionAttributeValues"][":f"] = {"N": str(rng.randrange(1000))}
    if rng.random() < 0.2 and index != "GSI3":
        query["ProjectionExpression"] = "#h, n"
    return query


def pages(client, query):
    """Every non-empty page's items, following LastEvaluatedKey to the end."""
    out, start = [], None
    for _ in range(500):
        args = dict(query)
        if start is not None:
            args["ExclusiveStartKey"] = start
        answer = client.query(**args)
        if answer["Items"]:
            out.append(answer["Items"])
        start = answer.get("LastEvaluatedKey")
        if start is None:
            return out
    raise AssertionError("more than 500 pages")


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 20261203
    rng = random.Random(seed)
    with mock_aws():
        server._patch_transactions()
        moto_query = query_index.install()
        indexed_query = Table.query
        client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        create(client)
        checked = 0
        rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 40
        for round_ in range(rounds):
            for _ in range(rng.randrange(5, 40)):
                mutate(client, rng)
            for _ in range(25):
                query = random_query(rng)
                Table.query = moto_query
                expected = pages(client, query)
                Table.query = indexed_query
                got = pages(client, query)
                if got != expected:
                    print(f"seed {seed}, round {round_}: {query}\n  moto:    {expected}\n  indexed: {got}")
                    sys.exit(1)
                checked += 1
        print(f"{checked} queries answered alike (seed {seed})")


if __name__ == "__main__":
    main()
