"""ReturnItemCollectionMetrics=SIZE on tables with a local secondary index.

DynamoDB behaviour checked: writes to a table with an LSI return ItemCollectionMetrics with the
written item's partition key (ItemCollectionKey) and a two-element SizeEstimateRangeGB (lower and
upper bound, [0, 1] for a small collection); BatchWriteItem and TransactWriteItems return them per
table, one per item collection; tables without an LSI, and requests without SIZE, return none.
"""
from conftest import create_table


def lsi_table(client, name="lsi_metrics"):
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"},
                              {"AttributeName": "l", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST",
        LocalSecondaryIndexes=[{"IndexName": "by_l",
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}])
    return name


def item(pk, sk, l=1):
    return {"pk": {"S": pk}, "sk": {"S": sk}, "l": {"N": str(l)}}


def check_metrics(m, pk):
    assert m["ItemCollectionKey"] == {"pk": {"S": pk}}
    lo, hi = m["SizeEstimateRangeGB"]
    assert 0 <= lo < hi


def test_single_item_writes_return_metrics(client):
    t = lsi_table(client)
    r = client.put_item(TableName=t, Item=item("a", "1"), ReturnItemCollectionMetrics="SIZE")
    check_metrics(r["ItemCollectionMetrics"], "a")
    assert r["ItemCollectionMetrics"]["SizeEstimateRangeGB"] == [0.0, 1.0]
    r = client.update_item(TableName=t, Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                           UpdateExpression="SET l = :l", ExpressionAttributeValues={":l": {"N": "5"}},
                           ReturnItemCollectionMetrics="SIZE")
    check_metrics(r["ItemCollectionMetrics"], "a")
    r = client.delete_item(TableName=t, Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
                           ReturnItemCollectionMetrics="SIZE")
    check_metrics(r["ItemCollectionMetrics"], "a")


def test_no_metrics_without_size_or_without_lsi(client):
    t = lsi_table(client)
    assert "ItemCollectionMetrics" not in client.put_item(TableName=t, Item=item("a", "1"))
    assert "ItemCollectionMetrics" not in client.put_item(
        TableName=t, Item=item("a", "2"), ReturnItemCollectionMetrics="NONE")
    create_table(client, "plain_metrics", hash_key=("pk", "S"))
    r = client.put_item(TableName="plain_metrics", Item={"pk": {"S": "x"}},
                        ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in r


def test_batch_and_transaction_metrics_per_collection(client):
    t = lsi_table(client)
    r = client.batch_write_item(
        RequestItems={t: [{"PutRequest": {"Item": item("a", "1")}},
                          {"PutRequest": {"Item": item("a", "2")}},
                          {"PutRequest": {"Item": item("b", "1")}}]},
        ReturnItemCollectionMetrics="SIZE")
    got = r["ItemCollectionMetrics"][t]
    assert sorted(m["ItemCollectionKey"]["pk"]["S"] for m in got) == ["a", "b"]
    for m in got:
        check_metrics(m, m["ItemCollectionKey"]["pk"]["S"])
    r = client.transact_write_items(
        TransactItems=[{"Put": {"TableName": t, "Item": item("c", "1")}},
                       {"Delete": {"TableName": t, "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}}}],
        ReturnItemCollectionMetrics="SIZE")
    got = r["ItemCollectionMetrics"][t]
    assert sorted(m["ItemCollectionKey"]["pk"]["S"] for m in got) == ["a", "c"]
