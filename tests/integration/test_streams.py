"""DynamoDB Streams: StreamSpecification on the table, and the Streams API read with boto3's
`dynamodbstreams` client (target prefix DynamoDBStreams_20120810., the same endpoint).

DynamoDB behaviour checked:
- StreamSpecification on CreateTable and UpdateTable: enabling shows StreamSpecification,
  LatestStreamArn (the table ARN + "/stream/" + label) and LatestStreamLabel (an ISO 8601 timestamp)
  in DescribeTable; disabling closes the stream (StreamStatus DISABLED, the shard gets an
  EndingSequenceNumber, its records stay readable and then GetRecords returns no
  NextShardIterator); re-enabling makes a new stream, and the old one stays readable (24 hours);
  DeleteTable leaves the stream DISABLED and readable (24 hours);
  enabling an enabled stream is a ValidationException "Table already has an enabled stream: <arn>";
- ListStreams (all, by table, paging with Limit / ExclusiveStartStreamArn / LastEvaluatedStreamArn)
  and DescribeStream (KeySchema, TableName, StreamViewType, one shard with a
  StartingSequenceNumber);
- the view types: KEYS_ONLY -> Keys; NEW_IMAGE -> Keys + NewImage (not on REMOVE); OLD_IMAGE ->
  Keys + OldImage (not on INSERT); NEW_AND_OLD_IMAGES -> both where they exist;
- record fields: eventID (unique), eventName INSERT/MODIFY/REMOVE, eventVersion "1.1", eventSource
  "aws:dynamodb", awsRegion, dynamodb.SequenceNumber (digits, at least 21), SizeBytes (> 0),
  StreamViewType, ApproximateCreationDateTime (now, to the second); no userIdentity on a user's
  write;
- the iterator types TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER;
- GetRecords paging with Limit and NextShardIterator loses and repeats nothing over 500 changes;
  many updates of one item come out in commit order (increasing sequence numbers, each OldImage
  the previous NewImage);
- records from BatchWriteItem (puts and deletes) and TransactWriteItems (Put, Update, Delete; none
  for a ConditionCheck, none for a cancelled transaction);
- no record for a write that changes nothing (PutItem of an identical item, UpdateItem setting the
  same value, DeleteItem of an absent item, a failed condition);
- errors: ResourceNotFoundException for an unknown stream ARN; ExpiredIteratorException for an
  iterator older than its lifetime (15 minutes; --iterator-lifetime 1 here);
  TrimmedDataAccessException for data past the trim horizon (24 hours; --stream-retention 1 here);
  ValidationException for a bad iterator type or a sequence number missing / given where it must
  not be; Limit outside 1..1000 (GetRecords) / 1..100 (ListStreams).
"""

import datetime
import re
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import CLIENT_CONFIG, REGION, create_table, unique_access_key

POLL_S = 0.1
DEADLINE_S = 10.0
STREAMS_TARGET = "DynamoDBStreams_20120810."
LABEL_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$")


def streams_client(server, access_key):
    return server.session(access_key).client("dynamodbstreams", endpoint_url=server.endpoint,
                                             config=CLIENT_CONFIG)


@pytest.fixture
def streams(server, access_key):
    return streams_client(server, access_key)


def stream_table(client, name, view, range_key=None, **kwargs):
    """Creates a table with a stream of `view`; returns its LatestStreamArn."""
    desc = create_table(client, name, range_key=range_key,
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
                        **kwargs)
    return desc["LatestStreamArn"]


def shard_ids(streams, arn):
    """The stream's shards: one on the RocksDB engine, one per storage shard on RADOS (DynamoDB
    too spreads a stream over shards)."""
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert shards, shards
    return [s["ShardId"] for s in shards]


def shard_of(streams, arn):
    """The first shard (the one shard on RocksDB)."""
    return shard_ids(streams, arn)[0]


def iterator(streams, arn, kind, seq=None):
    """One iterator per shard of the stream (`seq` given to each: a shard's iterator at another
    shard's number starts at the records that come after it in the stream's order)."""
    kwargs = {"SequenceNumber": seq} if seq is not None else {}
    return [streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind,
                                       **kwargs)["ShardIterator"]
            for shard in shard_ids(streams, arn)]


def collect(streams, arn=None, count=0, it=None, limit=None, pages=None):
    """Reads from `it` (an iterator or a list of them, one per shard; default: TRIM_HORIZON
    iterators of every shard of `arn`) until at least `count` records came back and then a round
    of pages came back empty (so that an extra record would be seen), or every shard ended. Fails
    after 10 s. `pages`, if a list, gets the size of every page. Returns the records of all shards
    in sequence-number order."""
    if it is None:
        it = iterator(streams, arn, "TRIM_HORIZON")
    its = list(it) if isinstance(it, list) else [it]
    records = []
    deadline = time.monotonic() + DEADLINE_S
    while its:
        following, got = [], 0
        for one in its:
            kwargs = {"Limit": limit} if limit else {}
            resp = streams.get_records(ShardIterator=one, **kwargs)
            page = resp["Records"]
            if pages is not None:
                pages.append(len(page))
            records.extend(page)
            got += len(page)
            if resp.get("NextShardIterator"):
                following.append(resp["NextShardIterator"])
        its = following
        if not got:
            if len(records) >= count:
                break
            assert time.monotonic() < deadline, f"only {len(records)} of {count} records"
            time.sleep(POLL_S)
    records.sort(key=seq)
    return records


def shard_holding(streams, arn, number):
    """The shard whose records include SequenceNumber `number`."""
    for shard in shard_ids(streams, arn):
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        numbers = [r["dynamodb"]["SequenceNumber"]
                   for r in streams.get_records(ShardIterator=it)["Records"]]
        if number in numbers:
            return shard
    pytest.fail(f"no shard holds {number}")


def seq(record):
    return int(record["dynamodb"]["SequenceNumber"])


def error_of(excinfo):
    """(code, message) of a ClientError, or of the pytest.raises info holding one."""
    err = getattr(excinfo, "value", excinfo).response["Error"]
    return err["Code"], err["Message"]


def raw_streams(raw, operation, body):
    """A Streams API request over raw HTTP (boto3 checks some parameters client-side)."""
    return raw.request(None, body, target=STREAMS_TARGET + operation)


# --------------------------------------------------------------------------------------------------
# StreamSpecification, DescribeTable, ListStreams, DescribeStream.


def test_create_table_with_stream_describes_it(client, streams):
    created = create_table(client, "tbl_t", range_key=("sk", "N"),
                           StreamSpecification={"StreamEnabled": True,
                                                "StreamViewType": "NEW_AND_OLD_IMAGES"})
    assert created["StreamSpecification"] == {"StreamEnabled": True,
                                              "StreamViewType": "NEW_AND_OLD_IMAGES"}
    desc = client.describe_table(TableName="tbl_t")["Table"]
    assert desc["StreamSpecification"] == {"StreamEnabled": True,
                                           "StreamViewType": "NEW_AND_OLD_IMAGES"}
    label = desc["LatestStreamLabel"]
    assert LABEL_RE.match(label), label
    assert desc["LatestStreamArn"] == desc["TableArn"] + "/stream/" + label
    assert created["LatestStreamArn"] == desc["LatestStreamArn"]

    sd = streams.describe_stream(StreamArn=desc["LatestStreamArn"])["StreamDescription"]
    assert sd["StreamArn"] == desc["LatestStreamArn"]
    assert sd["StreamLabel"] == label
    assert sd["StreamStatus"] == "ENABLED"
    assert sd["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert sd["TableName"] == "tbl_t"
    assert sd["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                               {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert isinstance(sd["CreationRequestDateTime"], datetime.datetime)
    assert "LastEvaluatedShardId" not in sd
    assert len(sd["Shards"]) >= 1  # one on RocksDB, one per storage shard on RADOS
    for shard in sd["Shards"]:
        assert re.fullmatch(r"shardId-\d{20}-[0-9a-f]{8}", shard["ShardId"]), shard
        start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
        assert start.isdigit() and 21 <= len(start) <= 40, start
        assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]  # open shard


@pytest.mark.parametrize("name", ["stream", "stream.stream", "table"])
def test_a_table_named_like_the_arn_parts_has_a_usable_stream(client, streams, name):
    # Its stream ARN holds "/stream/" twice (".../table/stream/stream/<label>").
    desc = create_table(client, name, StreamSpecification={"StreamEnabled": True,
                                                           "StreamViewType": "KEYS_ONLY"})
    arn = desc["LatestStreamArn"]
    sd = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert (sd["StreamArn"], sd["TableName"]) == (arn, name)
    client.put_item(TableName=name, Item={"pk": {"S": "k"}})
    records = collect(streams, arn, 1)
    assert records[0]["dynamodb"]["Keys"] == {"pk": {"S": "k"}}
    assert [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]] == [arn]


def test_table_without_stream_has_no_stream_members(client, streams):
    created = create_table(client, "plain")
    for member in ("StreamSpecification", "LatestStreamArn", "LatestStreamLabel"):
        assert member not in created
        assert member not in client.describe_table(TableName="plain")["Table"]
    assert streams.list_streams(TableName="plain")["Streams"] == []
    assert streams.list_streams()["Streams"] == []


def test_update_table_enables_a_stream(client, streams):
    create_table(client, "tbl_t")
    resp = client.update_table(TableName="tbl_t", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]
    assert resp["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    arn = resp["LatestStreamArn"]
    assert arn == resp["TableArn"] + "/stream/" + resp["LatestStreamLabel"]
    assert client.describe_table(TableName="tbl_t")["Table"]["LatestStreamArn"] == arn
    assert streams.list_streams(TableName="tbl_t")["Streams"] == [
        {"StreamArn": arn, "TableName": "tbl_t", "StreamLabel": resp["LatestStreamLabel"]}]
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "a"}, "x": {"N": "1"}})
    (rec,) = collect(streams, arn, 1)
    assert rec["eventName"] == "INSERT"
    assert rec["dynamodb"]["Keys"] == {"pk": {"S": "a"}}


def test_enabling_an_enabled_stream_is_an_error(client):
    arn = stream_table(client, "tbl_t", "NEW_IMAGE")
    for view in ("NEW_IMAGE", "KEYS_ONLY"):
        with pytest.raises(ClientError) as e:
            client.update_table(TableName="tbl_t", StreamSpecification={
                "StreamEnabled": True, "StreamViewType": view})
        assert error_of(e) == ("ValidationException", "Table already has an enabled stream: " + arn)
    assert client.describe_table(TableName="tbl_t")["Table"]["LatestStreamArn"] == arn


def test_disabling_closes_the_stream_and_keeps_its_records(client, streams):
    arn = stream_table(client, "tbl_t", "NEW_IMAGE")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "before"}})
    desc = client.update_table(TableName="tbl_t", StreamSpecification={"StreamEnabled": False})
    desc = desc["TableDescription"]
    # The table keeps naming its latest stream; StreamSpecification, if shown, says disabled.
    assert desc["LatestStreamArn"] == arn
    assert desc.get("StreamSpecification", {"StreamEnabled": False})["StreamEnabled"] is False
    table = client.describe_table(TableName="tbl_t")["Table"]
    assert table["LatestStreamArn"] == arn
    assert table.get("StreamSpecification", {"StreamEnabled": False})["StreamEnabled"] is False
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "after"}})  # no stream: no record

    deadline = time.monotonic() + DEADLINE_S
    while True:  # DISABLING may come first
        sd = streams.describe_stream(StreamArn=arn)["StreamDescription"]
        if sd["StreamStatus"] == "DISABLED":
            break
        assert sd["StreamStatus"] == "DISABLING", sd
        assert time.monotonic() < deadline
        time.sleep(POLL_S)
    for shard in sd["Shards"]:
        assert shard["SequenceNumberRange"]["EndingSequenceNumber"].isdigit()
    # The closed shards are read to their end, then have no next iterator.
    records = collect(streams, arn, 1)
    assert [r["dynamodb"]["Keys"] for r in records] == [{"pk": {"S": "before"}}]
    for it in iterator(streams, arn, "TRIM_HORIZON"):
        for _ in range(100):
            resp = streams.get_records(ShardIterator=it)
            if "NextShardIterator" not in resp:
                break
            it = resp["NextShardIterator"]
        else:
            pytest.fail("a closed shard kept returning NextShardIterator")
    # The stream is still listed.
    assert [s["StreamArn"] for s in streams.list_streams(TableName="tbl_t")["Streams"]] == [arn]


def test_disabling_without_a_stream_is_an_error(client):
    create_table(client, "tbl_t")
    with pytest.raises(ClientError) as e:
        client.update_table(TableName="tbl_t", StreamSpecification={"StreamEnabled": False})
    code, message = error_of(e)
    assert code == "ValidationException"
    assert message == "Table does not have an enabled stream"  # NOT SURE of DynamoDB's wording


def test_re_enabling_makes_a_new_stream_and_keeps_the_old_one(client, streams):
    old = stream_table(client, "tbl_t", "KEYS_ONLY")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "one"}})
    client.update_table(TableName="tbl_t", StreamSpecification={"StreamEnabled": False})
    time.sleep(0.002)  # the label has millisecond precision
    new = client.update_table(TableName="tbl_t", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    assert new["LatestStreamArn"] != old
    assert new["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "two"}})
    (rec,) = collect(streams, new["LatestStreamArn"], 1)
    assert rec["dynamodb"]["Keys"] == {"pk": {"S": "two"}}
    assert rec["dynamodb"]["NewImage"] == {"pk": {"S": "two"}}
    # A disabled stream stays readable for 24 hours, even after a new one is enabled.
    sd = streams.describe_stream(StreamArn=old)["StreamDescription"]
    assert sd["StreamStatus"] in ("DISABLED", "DISABLING")
    assert sd["StreamViewType"] == "KEYS_ONLY"
    (rec,) = collect(streams, old, 1)
    assert rec["dynamodb"]["Keys"] == {"pk": {"S": "one"}}
    listed = {s["StreamArn"] for s in streams.list_streams(TableName="tbl_t")["Streams"]}
    assert listed == {old, new["LatestStreamArn"]}


def test_list_streams_by_table_and_paging(client, streams):
    arns = {name: stream_table(client, name, "KEYS_ONLY") for name in ("st1", "st2", "st3", "st4")}
    create_table(client, "nostream")
    everything = streams.list_streams()
    assert "LastEvaluatedStreamArn" not in everything
    assert sorted((s["TableName"], s["StreamArn"]) for s in everything["Streams"]) == \
        sorted((n, a) for n, a in arns.items())
    for s in everything["Streams"]:
        assert arns[s["TableName"]].endswith("/stream/" + s["StreamLabel"])
    (only,) = streams.list_streams(TableName="st3")["Streams"]
    assert only["StreamArn"] == arns["st3"]

    seen = []
    kwargs = {}
    for _ in range(10):
        page = streams.list_streams(Limit=3, **kwargs)
        assert len(page["Streams"]) <= 3
        seen.extend(s["StreamArn"] for s in page["Streams"])
        if "LastEvaluatedStreamArn" not in page:
            break
        assert page["LastEvaluatedStreamArn"] == page["Streams"][-1]["StreamArn"]
        kwargs = {"ExclusiveStartStreamArn": page["LastEvaluatedStreamArn"]}
    else:
        pytest.fail("ListStreams paging did not end")
    assert sorted(seen) == sorted(arns.values())  # each once
    one = streams.list_streams(Limit=1)
    assert len(one["Streams"]) == 1
    assert one["LastEvaluatedStreamArn"] == one["Streams"][0]["StreamArn"]


def test_list_streams_of_unknown_table(streams):
    with pytest.raises(ClientError) as e:
        streams.list_streams(TableName="nope")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_streams_are_per_account(server, client, streams):
    arn = stream_table(client, "tbl_t", "KEYS_ONLY")
    other = streams_client(server, unique_access_key())
    assert other.list_streams()["Streams"] == []
    with pytest.raises(ClientError) as e:
        other.describe_stream(StreamArn=arn)
    assert error_of(e)[0] == "ResourceNotFoundException"


# --------------------------------------------------------------------------------------------------
# View types and record fields.


def write_insert_modify_remove(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "k"}, "sk": {"N": "1"}, "v": {"S": "a"}})
    client.update_item(TableName=table, Key={"pk": {"S": "k"}, "sk": {"N": "1"}},
                       UpdateExpression="SET v = :v, w = :w",
                       ExpressionAttributeValues={":v": {"S": "b"}, ":w": {"N": "2"}})
    client.delete_item(TableName=table, Key={"pk": {"S": "k"}, "sk": {"N": "1"}})


KEYS = {"pk": {"S": "k"}, "sk": {"N": "1"}}
V1 = {"pk": {"S": "k"}, "sk": {"N": "1"}, "v": {"S": "a"}}
V2 = {"pk": {"S": "k"}, "sk": {"N": "1"}, "v": {"S": "b"}, "w": {"N": "2"}}


@pytest.mark.parametrize("view, expected", [
    ("KEYS_ONLY", [{}, {}, {}]),
    ("NEW_IMAGE", [{"NewImage": V1}, {"NewImage": V2}, {}]),
    ("OLD_IMAGE", [{}, {"OldImage": V1}, {"OldImage": V2}]),
    ("NEW_AND_OLD_IMAGES", [{"NewImage": V1}, {"OldImage": V1, "NewImage": V2},
                            {"OldImage": V2}]),
])
def test_view_types(client, streams, view, expected):
    arn = stream_table(client, "tbl_t", view, range_key=("sk", "N"))
    write_insert_modify_remove(client, "tbl_t")
    records = collect(streams, arn, 3)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for rec, images in zip(records, expected):
        body = rec["dynamodb"]
        assert body["Keys"] == KEYS
        assert body["StreamViewType"] == view
        got = {k: body[k] for k in ("NewImage", "OldImage") if k in body}
        assert got == images, (rec["eventName"], body)


def test_record_fields(client, streams):
    arn = stream_table(client, "tbl_t", "NEW_AND_OLD_IMAGES", range_key=("sk", "N"))
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    write_insert_modify_remove(client, "tbl_t")
    records = collect(streams, arn, 3)
    after = datetime.datetime.now(datetime.timezone.utc)
    assert len(records) == 3
    assert len({r["eventID"] for r in records}) == 3
    for r in records:
        assert set(r) == {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion",
                          "dynamodb"}  # no userIdentity on a user's write
        assert r["eventID"]
        assert r["eventVersion"] == "1.1"
        assert r["eventSource"] == "aws:dynamodb"
        assert r["awsRegion"] == REGION
        body = r["dynamodb"]
        assert body["SequenceNumber"].isdigit() and len(body["SequenceNumber"]) >= 21
        assert isinstance(body["SizeBytes"], int) and body["SizeBytes"] > 0
        when = body["ApproximateCreationDateTime"]
        assert before - datetime.timedelta(seconds=1) <= when <= after + datetime.timedelta(
            seconds=1), when
    assert seq(records[0]) < seq(records[1]) < seq(records[2])


def test_size_bytes_grows_with_the_images(client, streams):
    keys_arn = stream_table(client, "tbl_k", "KEYS_ONLY")
    both_arn = stream_table(client, "tbl_b", "NEW_AND_OLD_IMAGES")
    for table in ("tbl_k", "tbl_b"):
        client.put_item(TableName=table, Item={"pk": {"S": "x"}, "data": {"S": "y" * 1000}})
    (k,) = collect(streams, keys_arn, 1)
    (b,) = collect(streams, both_arn, 1)
    assert k["dynamodb"]["SizeBytes"] < 1000 < b["dynamodb"]["SizeBytes"]


def test_all_attribute_types_in_images(client, streams):
    arn = stream_table(client, "tbl_t", "NEW_IMAGE")
    item = {"pk": {"S": "all"}, "n": {"N": "-1.5"}, "b": {"B": b"\x00\xff"}, "t": {"BOOL": True},
            "z": {"NULL": True}, "l": {"L": [{"S": "a"}, {"M": {"q": {"N": "1"}}}]},
            "ss": {"SS": ["a"]}, "ns": {"NS": ["7"]}, "bs": {"BS": [b"\x01"]}}
    client.put_item(TableName="tbl_t", Item=item)
    (rec,) = collect(streams, arn, 1)
    assert rec["dynamodb"]["NewImage"] == item
    assert rec["dynamodb"]["Keys"] == {"pk": {"S": "all"}}


# --------------------------------------------------------------------------------------------------
# Iterator types.


def test_iterator_types(client, streams):
    arn = stream_table(client, "tbl_t", "KEYS_ONLY")
    latest_empty = iterator(streams, arn, "LATEST")
    for i in range(5):
        client.put_item(TableName="tbl_t", Item={"pk": {"S": f"k{i}"}})
    records = collect(streams, arn, 5)
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]
    assert keys == [f"k{i}" for i in range(5)]
    # An iterator taken at LATEST before the writes sees all of them.
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in collect(streams, it=latest_empty, count=5)] \
        == keys
    third = records[2]["dynamodb"]["SequenceNumber"]
    at = collect(streams, it=iterator(streams, arn, "AT_SEQUENCE_NUMBER", third), count=3)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in at] == ["k2", "k3", "k4"]
    after = collect(streams, it=iterator(streams, arn, "AFTER_SEQUENCE_NUMBER", third), count=2)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in after] == ["k3", "k4"]
    last = records[-1]["dynamodb"]["SequenceNumber"]
    assert collect(streams, it=iterator(streams, arn, "AFTER_SEQUENCE_NUMBER", last)) == []
    # LATEST now: only what is written after it.
    latest = iterator(streams, arn, "LATEST")
    assert all(streams.get_records(ShardIterator=i)["Records"] == [] for i in latest)
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "new"}})
    (rec,) = collect(streams, it=latest, count=1)
    assert rec["dynamodb"]["Keys"] == {"pk": {"S": "new"}}
    assert seq(rec) > int(last)


def test_iterators_are_per_stream(client, streams):
    a = stream_table(client, "tbl_a", "KEYS_ONLY")
    b = stream_table(client, "tbl_b", "KEYS_ONLY")
    client.put_item(TableName="tbl_a", Item={"pk": {"S": "in-a"}})
    client.put_item(TableName="tbl_b", Item={"pk": {"S": "in-b"}})
    client.put_item(TableName="tbl_a", Item={"pk": {"S": "in-a-2"}})
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in collect(streams, a, 2)] == ["in-a", "in-a-2"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in collect(streams, b, 1)] == ["in-b"]


# --------------------------------------------------------------------------------------------------
# Paging and ordering.


def test_paging_loses_and_repeats_nothing(client, streams):
    arn = stream_table(client, "tbl_t", "KEYS_ONLY")
    n = 500
    for start in range(0, n, 25):
        resp = client.batch_write_item(RequestItems={"tbl_t": [
            {"PutRequest": {"Item": {"pk": {"S": f"k{i:03d}"}}}}
            for i in range(start, start + 25)]})
        assert resp["UnprocessedItems"] == {}
    pages = []
    records = collect(streams, arn, n, limit=37, pages=pages)
    assert len(records) == n
    assert all(p <= 37 for p in pages)
    assert sorted(r["dynamodb"]["Keys"]["pk"]["S"] for r in records) == \
        [f"k{i:03d}" for i in range(n)]
    numbers = [seq(r) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == n
    assert len({r["eventID"] for r in records}) == n
    # Without a Limit a page holds up to 1000 records (DynamoDB may return fewer per call).
    firsts = [streams.get_records(ShardIterator=i)["Records"]
              for i in iterator(streams, arn, "TRIM_HORIZON")]
    assert 0 < sum(len(first) for first in firsts) <= n
    for first in firsts:  # each shard's page in order, its records among the stream's
        assert [seq(r) for r in first] == sorted(seq(r) for r in first)
        assert {seq(r) for r in first} <= set(numbers)
    if len(firsts) == 1:
        assert [seq(r) for r in firsts[0]] == numbers[:len(firsts[0])]


def test_many_updates_of_one_item_in_order(client, streams):
    arn = stream_table(client, "tbl_t", "NEW_AND_OLD_IMAGES")
    n = 100
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "c"}, "n": {"N": "0"}})
    for _ in range(n):
        client.update_item(TableName="tbl_t", Key={"pk": {"S": "c"}}, UpdateExpression="ADD n :one",
                           ExpressionAttributeValues={":one": {"N": "1"}})
    records = collect(streams, arn, n + 1, limit=30)
    assert len(records) == n + 1
    assert records[0]["eventName"] == "INSERT"
    assert all(r["eventName"] == "MODIFY" for r in records[1:])
    numbers = [seq(r) for r in records]
    assert all(a < b for a, b in zip(numbers, numbers[1:]))
    assert [r["dynamodb"]["NewImage"]["n"]["N"] for r in records] == [str(i) for i in range(n + 1)]
    for prev, cur in zip(records, records[1:]):
        assert cur["dynamodb"]["OldImage"] == prev["dynamodb"]["NewImage"]


def test_concurrent_updates_of_one_item_in_commit_order(server, access_key, client, streams):
    arn = stream_table(client, "tbl_t", "NEW_AND_OLD_IMAGES")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "c"}, "n": {"N": "0"}})
    threads, per_thread = 4, 40
    errors = []

    def work():
        own = server.client(access_key)
        try:
            for _ in range(per_thread):
                own.update_item(TableName="tbl_t", Key={"pk": {"S": "c"}},
                                UpdateExpression="ADD n :one",
                                ExpressionAttributeValues={":one": {"N": "1"}})
        except Exception as e:  # reported below, on the test's thread
            errors.append(e)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=DEADLINE_S)
    assert not any(w.is_alive() for w in workers) and errors == []
    total = threads * per_thread
    records = collect(streams, arn, total + 1)
    assert len(records) == total + 1
    # Each increment saw the one before it: the records are in the order the writes committed.
    assert [r["dynamodb"]["NewImage"]["n"]["N"] for r in records] == [
        str(i) for i in range(total + 1)]
    assert [r["dynamodb"]["OldImage"]["n"]["N"] for r in records[1:]] == [
        str(i) for i in range(total)]


# --------------------------------------------------------------------------------------------------
# Batch and transactional writes.


def test_batch_write_item_records(client, streams):
    arn = stream_table(client, "tbl_t", "NEW_AND_OLD_IMAGES")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "old"}, "v": {"N": "1"}})
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "gone"}})
    client.batch_write_item(RequestItems={"tbl_t": [
        {"PutRequest": {"Item": {"pk": {"S": "new"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "old"}, "v": {"N": "2"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "gone"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "absent"}}}},  # deletes nothing: no record
    ]})
    records = collect(streams, arn, 5)[2:]
    got = sorted((r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records)
    assert got == [("INSERT", "new"), ("MODIFY", "old"), ("REMOVE", "gone")]
    modify = next(r for r in records if r["eventName"] == "MODIFY")["dynamodb"]
    assert modify["OldImage"] == {"pk": {"S": "old"}, "v": {"N": "1"}}
    assert modify["NewImage"] == {"pk": {"S": "old"}, "v": {"N": "2"}}


def test_transact_write_items_records(client, streams):
    arn = stream_table(client, "tbl_t", "NEW_AND_OLD_IMAGES")
    create_table(client, "other")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "upd"}, "v": {"N": "1"}})
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "del"}})
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "chk"}})
    client.transact_write_items(TransactItems=[
        {"Put": {"TableName": "tbl_t", "Item": {"pk": {"S": "ins"}, "v": {"N": "9"}}}},
        {"Update": {"TableName": "tbl_t", "Key": {"pk": {"S": "upd"}},
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"N": "2"}}}},
        {"Delete": {"TableName": "tbl_t", "Key": {"pk": {"S": "del"}}}},
        {"ConditionCheck": {"TableName": "tbl_t", "Key": {"pk": {"S": "chk"}},
                            "ConditionExpression": "attribute_exists(pk)"}},
        {"Put": {"TableName": "other", "Item": {"pk": {"S": "elsewhere"}}}},
    ])
    # A cancelled transaction writes nothing, so no record.
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": "tbl_t", "Item": {"pk": {"S": "never"}}}},
            {"ConditionCheck": {"TableName": "tbl_t", "Key": {"pk": {"S": "chk"}},
                                "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
    assert error_of(e)[0] == "TransactionCanceledException"
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "marker"}})
    records = collect(streams, arn, 7)[3:]
    by_key = {r["dynamodb"]["Keys"]["pk"]["S"]: r for r in records}
    assert sorted(by_key) == ["del", "ins", "marker", "upd"]
    assert records[-1]["dynamodb"]["Keys"] == {"pk": {"S": "marker"}}
    assert by_key["ins"]["eventName"] == "INSERT"
    assert by_key["ins"]["dynamodb"]["NewImage"] == {"pk": {"S": "ins"}, "v": {"N": "9"}}
    assert by_key["upd"]["eventName"] == "MODIFY"
    assert by_key["upd"]["dynamodb"]["OldImage"] == {"pk": {"S": "upd"}, "v": {"N": "1"}}
    assert by_key["upd"]["dynamodb"]["NewImage"] == {"pk": {"S": "upd"}, "v": {"N": "2"}}
    assert by_key["del"]["eventName"] == "REMOVE"
    assert by_key["del"]["dynamodb"]["OldImage"] == {"pk": {"S": "del"}}


# --------------------------------------------------------------------------------------------------
# Writes that change nothing.


def test_no_record_for_a_write_that_changes_nothing(client, streams):
    arn = stream_table(client, "tbl_t", "NEW_AND_OLD_IMAGES")
    item = {"pk": {"S": "same"}, "v": {"N": "1"}, "l": {"L": [{"S": "x"}]}}
    client.put_item(TableName="tbl_t", Item=item)
    client.put_item(TableName="tbl_t", Item=item)  # identical
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "same"}, "l": {"L": [{"S": "x"}]},
                                         "v": {"N": "1.0"}})  # the same number
    client.update_item(TableName="tbl_t", Key={"pk": {"S": "same"}}, UpdateExpression="SET v = :v",
                       ExpressionAttributeValues={":v": {"N": "1"}})
    client.update_item(TableName="tbl_t", Key={"pk": {"S": "same"}},
                       UpdateExpression="REMOVE nothere")
    client.delete_item(TableName="tbl_t", Key={"pk": {"S": "absent"}})
    with pytest.raises(ClientError) as e:
        client.put_item(TableName="tbl_t", Item={"pk": {"S": "same"}, "v": {"N": "5"}},
                        ConditionExpression="attribute_not_exists(pk)")
    assert error_of(e)[0] == "ConditionalCheckFailedException"
    client.update_item(TableName="tbl_t", Key={"pk": {"S": "same"}}, UpdateExpression="SET v = :v",
                       ExpressionAttributeValues={":v": {"N": "2"}})  # a real change: the marker
    records = collect(streams, arn, 2)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    assert records[1]["dynamodb"]["OldImage"] == item
    assert records[1]["dynamodb"]["NewImage"] == {**item, "v": {"N": "2"}}


# --------------------------------------------------------------------------------------------------
# Errors.


def test_unknown_stream_arn(client, streams):
    arn = stream_table(client, "tbl_t", "KEYS_ONLY")
    shard = shard_of(streams, arn)
    unknown = arn.rsplit("/stream/", 1)[0] + "/stream/2000-01-01T00:00:00.000"
    missing_table = arn.replace(":table/tbl_t/", ":table/nosuchtable/")
    for bad in (unknown, missing_table):
        with pytest.raises(ClientError) as e:
            streams.describe_stream(StreamArn=bad)
        assert error_of(e)[0] == "ResourceNotFoundException"
        with pytest.raises(ClientError) as e:
            streams.get_shard_iterator(StreamArn=bad, ShardId=shard,
                                       ShardIteratorType="TRIM_HORIZON")
        assert error_of(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-ffffffff",
                                   ShardIteratorType="TRIM_HORIZON")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_stream_of_deleted_table(client, streams):
    arn = stream_table(client, "tbl_t", "KEYS_ONLY")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "a"}})
    client.delete_table(TableName="tbl_t")
    # DeleteTable's API reference: "the corresponding stream on that table goes into the DISABLED
    # state, and the stream is automatically deleted after 24 hours."
    sd = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert sd["StreamStatus"] in ("DISABLED", "DISABLING")
    (rec,) = collect(streams, arn, 1)
    assert rec["dynamodb"]["Keys"] == {"pk": {"S": "a"}}


def test_bad_iterator_type(client, streams):
    arn = stream_table(client, "tbl_t", "KEYS_ONLY")
    shard = shard_of(streams, arn)
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="OLDEST")
    code, message = error_of(e)
    assert code == "ValidationException"
    prefix = ("1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to "
              "satisfy constraint: Member must satisfy enum value set: [")
    assert message.startswith(prefix), message
    assert sorted(message[len(prefix):-1].split(", ")) == [
        "AFTER_SEQUENCE_NUMBER", "AT_SEQUENCE_NUMBER", "LATEST", "TRIM_HORIZON"]


def test_sequence_number_required_or_forbidden(client, streams):
    arn = stream_table(client, "tbl_t", "KEYS_ONLY")
    shard = shard_of(streams, arn)
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "a"}})
    (rec,) = collect(streams, arn, 1)
    number = rec["dynamodb"]["SequenceNumber"]
    for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        with pytest.raises(ClientError) as e:
            streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind)
        assert error_of(e)[0] == "ValidationException"  # NOT SURE of the message
    for kind in ("TRIM_HORIZON", "LATEST"):
        with pytest.raises(ClientError) as e:
            streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind,
                                       SequenceNumber=number)
        assert error_of(e)[0] == "ValidationException"  # NOT SURE of the message


def test_bad_shard_iterator(streams):
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator="not-an-iterator")
    assert error_of(e)[0] == "ValidationException"  # NOT SURE of the message


def test_limit_bounds(client, raw):
    arn = stream_table(client, "tbl_t", "KEYS_ONLY")
    desc = raw_streams(raw, "DescribeStream", {"StreamArn": arn})
    assert desc.status == 200, desc
    shard = desc.json["StreamDescription"]["Shards"][0]["ShardId"]
    it = raw_streams(raw, "GetShardIterator", {"StreamArn": arn, "ShardId": shard,
                                               "ShardIteratorType": "TRIM_HORIZON"})
    assert it.status == 200, it
    token = it.json["ShardIterator"]
    for limit, bound in ((0, "greater than or equal to 1"), (1001, "less than or equal to 1000")):
        r = raw_streams(raw, "GetRecords", {"ShardIterator": token, "Limit": limit})
        assert r.status == 400 and r.error_type == "ValidationException", r
        assert r.message == (f"1 validation error detected: Value '{limit}' at 'limit' failed to "
                             f"satisfy constraint: Member must have value {bound}")
    assert raw_streams(raw, "GetRecords", {"ShardIterator": token, "Limit": 1000}).status == 200
    for limit, bound in ((0, "greater than or equal to 1"), (101, "less than or equal to 100")):
        r = raw_streams(raw, "ListStreams", {"Limit": limit})
        assert r.status == 400 and r.error_type == "ValidationException", r
        assert r.message == (f"1 validation error detected: Value '{limit}' at 'limit' failed to "
                             f"satisfy constraint: Member must have value {bound}")


def test_expired_iterator(make_server, access_key):
    srv = make_server("--iterator-lifetime", "1")
    client, streams = srv.client(access_key), streams_client(srv, access_key)
    arn = stream_table(client, "tbl_t", "KEYS_ONLY")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "a"}})
    old = iterator(streams, arn, "TRIM_HORIZON")  # one per shard
    fresh = [streams.get_records(ShardIterator=i) for i in old]
    assert sum(len(f["Records"]) for f in fresh) == 1
    time.sleep(1.3)
    for stale in old + [f["NextShardIterator"] for f in fresh]:
        with pytest.raises(ClientError) as e:
            streams.get_records(ShardIterator=stale)
        assert error_of(e)[0] == "ExpiredIteratorException"
    # A new iterator works, and each NextShardIterator is good for a lifetime of its own.
    resps = [streams.get_records(ShardIterator=i) for i in iterator(streams, arn, "TRIM_HORIZON")]
    assert [r["dynamodb"]["Keys"] for resp in resps for r in resp["Records"]] == \
        [{"pk": {"S": "a"}}]
    for resp in resps:
        assert streams.get_records(ShardIterator=resp["NextShardIterator"])["Records"] == []


def test_trimmed_data(make_server, access_key):
    srv = make_server("--stream-retention", "1", "--ttl-interval", "0.2")
    client, streams = srv.client(access_key), streams_client(srv, access_key)
    arn = stream_table(client, "tbl_t", "KEYS_ONLY")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "early"}})
    (rec,) = collect(streams, arn, 1)
    number = rec["dynamodb"]["SequenceNumber"]
    shard = shard_holding(streams, arn, number)
    horizon = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                         ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    deadline = time.monotonic() + DEADLINE_S
    while True:  # until the record is trimmed
        try:
            streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                       ShardIteratorType="AT_SEQUENCE_NUMBER",
                                       SequenceNumber=number)
        except ClientError as e:
            assert error_of(e)[0] == "TrimmedDataAccessException"
            break
        assert time.monotonic() < deadline, "the record was never trimmed"
        time.sleep(POLL_S)
    # An iterator that points before the trim horizon can no longer be read.
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator=horizon)
    assert error_of(e)[0] == "TrimmedDataAccessException"
    # A new TRIM_HORIZON iterator starts after the trimmed records.
    for it in iterator(streams, arn, "TRIM_HORIZON"):
        assert streams.get_records(ShardIterator=it)["Records"] == []
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "late"}})
    (rec,) = collect(streams, arn, 1)
    assert rec["dynamodb"]["Keys"] == {"pk": {"S": "late"}}
    assert int(rec["dynamodb"]["SequenceNumber"]) > int(number)
