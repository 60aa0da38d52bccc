"""DynamoDB Streams: paging, filters and the parameter constraints of DescribeStream, ListStreams,
GetShardIterator and GetRecords, every member of their input shapes at and past its limits.

DynamoDB behaviour checked:
- DescribeStream pages the stream's shards: `Limit` 1..100 (default 100; "The upper limit is 100"),
  `ExclusiveStartShardId` returns the shards after that id in shard-id order (an id that is not a
  shard of the stream is not an error: the shards after it, so an id above every shard gives an
  empty list and one below every shard gives them all), `LastEvaluatedShardId` is present exactly
  when more shards remain; a client following LastEvaluatedShardId ends, and sees each shard once.
  This holds for whatever shards the stream has (Cairn has one per stream), for an open shard and
  for the closed shard of a disabled stream.
- DescribeStream's `ShardFilter` {"Type": "CHILD_SHARDS", "ShardId": ...} returns that shard's
  children: none for an open shard (nor for the closed shard of a disabled stream, which was never
  split), never the shard itself. A missing or wrong Type or ShardId is a ValidationException;
  a ShardFilter that is not a JSON object is a SerializationException. (boto3 from Debian's
  botocore 1.29 predates ShardFilter: it is sent over raw HTTP.)
- ListStreams: `ExclusiveStartStreamArn` that names no stream is not an error, the listing goes on
  after it (an ARN above every stream gives an empty list, one below gives them all);
  `LastEvaluatedStreamArn` exactly when more remain, with `Limit` 1..100 at and past both edges;
  TableName 3..255 characters of [a-zA-Z0-9_.-].
- GetShardIterator: StreamArn 37..1024 characters, ShardId 28..65, ShardIteratorType one of four,
  SequenceNumber 21..40; an unknown shard of a well-formed id is ResourceNotFoundException.
- GetRecords: ShardIterator 1..2048 characters, Limit 1..1000 (a page of exactly Limit records).
- Constraint violations are ValidationException "1 validation error detected: Value '<v>' at
  '<member>' failed to satisfy constraint: Member must have length greater than or equal to <n>"
  (and "less than or equal to", "have value ...", "satisfy enum value set: [...]", "must not be
  null"), as DynamoDB's request validation words them from the service model.
Where DynamoDB's exact text is not known, the assertion says NOT SURE.
"""

import pytest

from conftest import CLIENT_CONFIG, create_table

STREAMS_TARGET = "DynamoDBStreams_20120810."
PREFIX = "1 validation error detected: "
# Shard ids sort as text; DynamoDB's have the form shardId-<20 digits>-<8 hex> (37 characters).
LOWEST_SHARD_ID = "shardId-" + "0" * 20           # 28 characters: the model's minimum length
HIGHEST_SHARD_ID = "shardId-" + "9" * 57          # 65 characters: the model's maximum length


def streams_request(raw, operation, body):
    return raw.request(None, body, target=STREAMS_TARGET + operation)


def ok(raw, operation, body):
    r = streams_request(raw, operation, body)
    assert r.status == 200, r
    return r.json


def error(raw, operation, body, error_type, message=None):
    r = streams_request(raw, operation, body)
    assert (r.status, r.error_type) == (400, error_type), r
    if message is not None:
        assert r.message == message, r
    return r


def invalid(raw, operation, body, message):
    """A ValidationException with exactly one violation, `message` without the prefix."""
    return error(raw, operation, body, "ValidationException", PREFIX + message)


def length_violation(value, member, relation, bound):
    return (f"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length "
            f"{relation} {bound}")


def too_short(value, member, minimum):
    return length_violation(value, member, "greater than or equal to", minimum)


def too_long(value, member, maximum):
    return length_violation(value, member, "less than or equal to", maximum)


def value_violation(value, member, relation, bound):
    return (f"Value '{value}' at '{member}' failed to satisfy constraint: Member must have value "
            f"{relation} {bound}")


def null_violation(member):
    return f"Value null at '{member}' failed to satisfy constraint: Member must not be null"


def stream_table(client, name, view="KEYS_ONLY"):
    desc = create_table(client, name,
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return desc["LatestStreamArn"]


@pytest.fixture
def streams(server, access_key):
    return server.session(access_key).client("dynamodbstreams", endpoint_url=server.endpoint,
                                             config=CLIENT_CONFIG)


def all_shards(streams, arn):
    return streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]


def page_shards(streams, arn, limit, max_pages=50, **extra):
    """Follows LastEvaluatedShardId with this Limit; returns the pages (lists of shards). Fails if
    the paging does not end (a client that pages would loop)."""
    pages, kwargs = [], dict(extra)
    for _ in range(max_pages):
        sd = streams.describe_stream(StreamArn=arn, Limit=limit, **kwargs)["StreamDescription"]
        pages.append(sd["Shards"])
        assert len(sd["Shards"]) <= limit
        if "LastEvaluatedShardId" not in sd:
            return pages
        assert sd["LastEvaluatedShardId"] == sd["Shards"][-1]["ShardId"]
        kwargs = {"ExclusiveStartShardId": sd["LastEvaluatedShardId"]}
    pytest.fail(f"DescribeStream paging did not end in {max_pages} pages")


# --------------------------------------------------------------------------------------------------
# DescribeStream: Limit, ExclusiveStartShardId, LastEvaluatedShardId.


def test_describe_stream_default_returns_every_shard_in_id_order(client, streams):
    arn = stream_table(client, "tbl_t")
    sd = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    ids = [s["ShardId"] for s in sd["Shards"]]
    assert ids and ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert "LastEvaluatedShardId" not in sd
    for limit in (100, len(ids)):  # the upper edge, and exactly as many as there are
        sd = streams.describe_stream(StreamArn=arn, Limit=limit)["StreamDescription"]
        assert [s["ShardId"] for s in sd["Shards"]] == ids
        assert "LastEvaluatedShardId" not in sd


@pytest.mark.parametrize("enabled", [True, False], ids=["open", "closed"])
def test_describe_stream_paging_with_limit_1_ends(client, streams, enabled):
    arn = stream_table(client, "tbl_t")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "a"}})
    if not enabled:
        client.update_table(TableName="tbl_t", StreamSpecification={"StreamEnabled": False})
    every = all_shards(streams, arn)
    pages = page_shards(streams, arn, 1)
    assert [s for page in pages for s in page] == every  # each shard once, in order
    assert all(len(page) == 1 for page in pages)
    # LastEvaluatedShardId exactly when more remain: with one page per shard, all but the last.
    assert len(pages) == len(every)
    closed = [s for s in every if "EndingSequenceNumber" in s["SequenceNumberRange"]]
    assert bool(closed) == (not enabled)


def test_exclusive_start_shard_id_at_before_and_after_each_shard(client, streams):
    arn = stream_table(client, "tbl_t")
    every = all_shards(streams, arn)
    ids = [s["ShardId"] for s in every]

    def after(start):
        sd = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=start)[
            "StreamDescription"]
        assert "LastEvaluatedShardId" not in sd
        return [s["ShardId"] for s in sd["Shards"]]

    for i, shard_id in enumerate(ids):
        assert after(shard_id) == ids[i + 1:]  # the shard itself is excluded
        # Ids that are not shards, just before and just after this one: not an error, the shards
        # after them in id order.
        for near in (shard_id[:-1], shard_id + "0"):
            assert after(near) == [x for x in ids if x > near]
    assert after(LOWEST_SHARD_ID) == ids      # below every shard: all of them
    assert after(HIGHEST_SHARD_ID) == []      # above every shard: none
    assert after("shardId-99999999999999999999-ffffffff") == []
    # The full form of an id that is not a shard of this stream, before them all.
    assert after("shardId-00000000000000000000-00000000") == ids


def test_exclusive_start_shard_id_with_limit(client, streams):
    arn = stream_table(client, "tbl_t")
    ids = [s["ShardId"] for s in all_shards(streams, arn)]
    sd = streams.describe_stream(StreamArn=arn, Limit=1, ExclusiveStartShardId=LOWEST_SHARD_ID)[
        "StreamDescription"]
    assert [s["ShardId"] for s in sd["Shards"]] == ids[:1]
    assert ("LastEvaluatedShardId" in sd) == (len(ids) > 1)
    sd = streams.describe_stream(StreamArn=arn, Limit=1, ExclusiveStartShardId=ids[-1])[
        "StreamDescription"]
    assert sd["Shards"] == [] and "LastEvaluatedShardId" not in sd


def test_describe_stream_keeps_the_rest_of_the_description_when_paging(client, streams):
    arn = stream_table(client, "tbl_t", "NEW_IMAGE")
    full = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    empty = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=HIGHEST_SHARD_ID)[
        "StreamDescription"]
    assert {k: v for k, v in empty.items() if k != "Shards"} == \
        {k: v for k, v in full.items() if k != "Shards"}
    assert empty["Shards"] == []


def test_describe_stream_limit_bounds(client, raw):
    arn = stream_table(client, "tbl_t")
    for limit in (1, 100):
        assert ok(raw, "DescribeStream", {"StreamArn": arn, "Limit": limit})["StreamDescription"]
    for limit, relation, bound in ((0, "greater than or equal to", 1),
                                   (-1, "greater than or equal to", 1),
                                   (101, "less than or equal to", 100),
                                   (1000, "less than or equal to", 100)):
        invalid(raw, "DescribeStream", {"StreamArn": arn, "Limit": limit},
                value_violation(limit, "limit", relation, bound))


def test_describe_stream_exclusive_start_shard_id_length(client, raw):
    arn = stream_table(client, "tbl_t")
    for good in (LOWEST_SHARD_ID, HIGHEST_SHARD_ID):
        assert ok(raw, "DescribeStream", {"StreamArn": arn, "ExclusiveStartShardId": good})
    short, long = LOWEST_SHARD_ID[:-1], HIGHEST_SHARD_ID + "9"
    invalid(raw, "DescribeStream", {"StreamArn": arn, "ExclusiveStartShardId": short},
            too_short(short, "exclusiveStartShardId", 28))
    invalid(raw, "DescribeStream", {"StreamArn": arn, "ExclusiveStartShardId": long},
            too_long(long, "exclusiveStartShardId", 65))


def test_describe_stream_stream_arn(client, raw):
    arn = stream_table(client, "tbl_t")
    invalid(raw, "DescribeStream", {}, null_violation("streamArn"))
    short, long = arn[:36], arn + "x" * (1025 - len(arn))
    invalid(raw, "DescribeStream", {"StreamArn": short}, too_short(short, "streamArn", 37))
    invalid(raw, "DescribeStream", {"StreamArn": long}, too_long(long, "streamArn", 1024))
    unknown = arn.rsplit("/stream/", 1)[0] + "/stream/2000-01-01T00:00:00.000"
    error(raw, "DescribeStream", {"StreamArn": unknown}, "ResourceNotFoundException")
    # A well-formed request that also breaks a constraint elsewhere: validation comes first.
    invalid(raw, "DescribeStream", {"StreamArn": unknown, "Limit": 0},
            value_violation(0, "limit", "greater than or equal to", 1))


# --------------------------------------------------------------------------------------------------
# DescribeStream: ShardFilter (raw: Debian's botocore 1.29 predates it).


def test_child_shards_of_an_open_shard_are_none(client, raw):
    arn = stream_table(client, "tbl_t")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "a"}})
    every = ok(raw, "DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"]
    for shard in every:
        sd = ok(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": {
            "Type": "CHILD_SHARDS", "ShardId": shard["ShardId"]}})["StreamDescription"]
        children = sd["Shards"]
        assert shard["ShardId"] not in [c["ShardId"] for c in children]  # never the shard itself
        assert all(c.get("ParentShardId") == shard["ShardId"] for c in children)
        if "EndingSequenceNumber" not in shard["SequenceNumberRange"]:
            assert children == []  # an open shard has not been split
        assert "LastEvaluatedShardId" not in sd
        assert sd["StreamArn"] == arn


def test_child_shards_of_a_closed_shard_of_a_disabled_stream_are_none(client, raw):
    arn = stream_table(client, "tbl_t")
    client.update_table(TableName="tbl_t", StreamSpecification={"StreamEnabled": False})
    every = ok(raw, "DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"]
    for shard in every:
        sd = ok(raw, "DescribeStream", {"StreamArn": arn, "Limit": 1, "ShardFilter": {
            "Type": "CHILD_SHARDS", "ShardId": shard["ShardId"]}})["StreamDescription"]
        assert sd["Shards"] == []  # a disabled stream makes no new shards
        assert "LastEvaluatedShardId" not in sd


def test_child_shards_of_a_shard_that_does_not_exist_are_none(client, raw):
    arn = stream_table(client, "tbl_t")
    for shard_id in (LOWEST_SHARD_ID, HIGHEST_SHARD_ID, "shardId-00000000000000000000-00000000"):
        sd = ok(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": {
            "Type": "CHILD_SHARDS", "ShardId": shard_id}})["StreamDescription"]
        assert sd["Shards"] == []


def test_shard_filter_type_and_shard_id_are_checked(client, raw):
    arn = stream_table(client, "tbl_t")
    shard = ok(raw, "DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"][0][
        "ShardId"]
    invalid(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": {
        "Type": "PARENT_SHARDS", "ShardId": shard}},
        "Value 'PARENT_SHARDS' at 'shardFilter.type' failed to satisfy constraint: Member must "
        "satisfy enum value set: [CHILD_SHARDS]")
    invalid(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": {
        "Type": "child_shards", "ShardId": shard}},
        "Value 'child_shards' at 'shardFilter.type' failed to satisfy constraint: Member must "
        "satisfy enum value set: [CHILD_SHARDS]")
    short, long = LOWEST_SHARD_ID[:-1], HIGHEST_SHARD_ID + "9"
    invalid(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": {
        "Type": "CHILD_SHARDS", "ShardId": short}},
        too_short(short, "shardFilter.shardId", 28))
    invalid(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": {
        "Type": "CHILD_SHARDS", "ShardId": long}},
        too_long(long, "shardFilter.shardId", 65))
    # Missing members: NOT SURE of DynamoDB's text (the model marks neither member required);
    # Cairn words them as a required member's violation.
    invalid(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": {"ShardId": shard}},
            null_violation("shardFilter.type"))
    invalid(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": {"Type": "CHILD_SHARDS"}},
            null_violation("shardFilter.shardId"))
    r = error(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": {}}, "ValidationException")
    assert r.message.startswith("2 validation errors detected: "), r
    assert null_violation("shardFilter.type") in r.message, r
    assert null_violation("shardFilter.shardId") in r.message, r


def test_shard_filter_of_the_wrong_json_type(client, raw):
    arn = stream_table(client, "tbl_t")
    error(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": "CHILD_SHARDS"},
          "SerializationException", "Unexpected value type in payload")
    error(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": ["CHILD_SHARDS"]},
          "SerializationException", "Start of list found where not expected")
    error(raw, "DescribeStream", {"StreamArn": arn, "ShardFilter": {"Type": 1, "ShardId": "x"}},
          "SerializationException", "NUMBER_VALUE cannot be converted to String")


# --------------------------------------------------------------------------------------------------
# ListStreams.


def make_streams(client, names):
    return {name: stream_table(client, name) for name in names}


def list_all(streams, **kwargs):
    page = streams.list_streams(**kwargs)
    assert "LastEvaluatedStreamArn" not in page
    return [s["StreamArn"] for s in page["Streams"]]


def test_list_streams_exclusive_start_stream_arn_that_names_no_stream(client, streams):
    arns = make_streams(client, ("st1", "st2", "st3", "st4"))
    listed = list_all(streams)
    assert sorted(listed) == sorted(arns.values())
    # Cairn lists in ARN order (DynamoDB documents no order; paging needs only a stable one).
    assert listed == sorted(listed)
    base = arns["st2"].rsplit(":table/", 1)[0]
    before_all = base + ":table/aaa/stream/2000-01-01T00:00:00.000"
    after_all = base + ":table/zzz/stream/2000-01-01T00:00:00.000"
    # st2's table with an earlier label: between st1's stream and st2's.
    between = arns["st2"].rsplit("/stream/", 1)[0] + "/stream/2000-01-01T00:00:00.000"
    assert list_all(streams, ExclusiveStartStreamArn=before_all) == listed
    assert list_all(streams, ExclusiveStartStreamArn=after_all) == []
    assert list_all(streams, ExclusiveStartStreamArn=between) == \
        [a for a in listed if a > between]
    assert list_all(streams, ExclusiveStartStreamArn=arns["st4"]) == \
        [a for a in listed if a > arns["st4"]]
    # With TableName: only that table's streams, after the start.
    assert list_all(streams, TableName="st2", ExclusiveStartStreamArn=between) == [arns["st2"]]
    assert list_all(streams, TableName="st2", ExclusiveStartStreamArn=after_all) == []


def test_list_streams_last_evaluated_exactly_when_more_remain(client, streams):
    arns = make_streams(client, ("st1", "st2", "st3", "st4"))
    listed = list_all(streams)
    for limit in (1, 2, 3, 4, 5, 100):
        seen, kwargs, pages = [], {}, 0
        while True:
            page = streams.list_streams(Limit=limit, **kwargs)
            pages += 1
            assert pages <= 10, "ListStreams paging did not end"
            got = [s["StreamArn"] for s in page["Streams"]]
            seen += got
            more = len(seen) < len(listed)
            assert ("LastEvaluatedStreamArn" in page) == more, (limit, page)
            assert len(got) == (limit if more else len(listed) - (pages - 1) * limit)
            if not more:
                break
            assert page["LastEvaluatedStreamArn"] == got[-1]
            kwargs = {"ExclusiveStartStreamArn": page["LastEvaluatedStreamArn"]}
        assert seen == listed, limit
    assert sorted(listed) == sorted(arns.values())


def test_list_streams_limit_bounds(raw):
    for limit in (1, 100):
        assert ok(raw, "ListStreams", {"Limit": limit})["Streams"] == []
    for limit, relation, bound in ((0, "greater than or equal to", 1),
                                   (-5, "greater than or equal to", 1),
                                   (101, "less than or equal to", 100)):
        invalid(raw, "ListStreams", {"Limit": limit},
                value_violation(limit, "limit", relation, bound))


def test_list_streams_exclusive_start_stream_arn_length(client, raw):
    arn = stream_table(client, "tbl_t")
    at_min, at_max = arn[:37], arn + "z" * (1024 - len(arn))
    # At the limits: well-formed enough, not an error (the streams after it in the order).
    assert ok(raw, "ListStreams", {"ExclusiveStartStreamArn": at_min})["Streams"] == [
        {"StreamArn": arn, "TableName": "tbl_t", "StreamLabel": arn.rsplit("/stream/", 1)[1]}]
    assert ok(raw, "ListStreams", {"ExclusiveStartStreamArn": at_max})["Streams"] == []
    short, long = arn[:36], at_max + "z"
    invalid(raw, "ListStreams", {"ExclusiveStartStreamArn": short},
            too_short(short, "exclusiveStartStreamArn", 37))
    invalid(raw, "ListStreams", {"ExclusiveStartStreamArn": long},
            too_long(long, "exclusiveStartStreamArn", 1024))


def test_list_streams_table_name_constraints(client, raw):
    arn = stream_table(client, "abc")  # the shortest table name
    assert [s["StreamArn"] for s in ok(raw, "ListStreams", {"TableName": "abc"})["Streams"]] == \
        [arn]
    invalid(raw, "ListStreams", {"TableName": "ab"}, too_short("ab", "tableName", 3))
    long = "t" * 256
    invalid(raw, "ListStreams", {"TableName": long}, too_long(long, "tableName", 255))
    error(raw, "ListStreams", {"TableName": "t" * 255}, "ResourceNotFoundException")
    invalid(raw, "ListStreams", {"TableName": "bad name"},
            "Value 'bad name' at 'tableName' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [a-zA-Z0-9_.-]+")


# --------------------------------------------------------------------------------------------------
# GetShardIterator.


def shard_of(raw, arn):
    """The stream's first shard (its one shard on RocksDB; RADOS has one per storage shard)."""
    shards = ok(raw, "DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"]
    return shards[0]["ShardId"]


def shard_with_records(raw, arn):
    """The first shard whose TRIM_HORIZON GetRecords returns records."""
    for shard in ok(raw, "DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"]:
        it = ok(raw, "GetShardIterator", {"StreamArn": arn, "ShardId": shard["ShardId"],
                                          "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        if ok(raw, "GetRecords", {"ShardIterator": it})["Records"]:
            return shard["ShardId"]
    pytest.fail("no shard has records")


def test_get_shard_iterator_members(client, raw):
    arn = stream_table(client, "tbl_t")
    shard = shard_of(raw, arn)
    body = {"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}
    assert ok(raw, "GetShardIterator", body)["ShardIterator"]
    for member, field in (("StreamArn", "streamArn"), ("ShardId", "shardId"),
                          ("ShardIteratorType", "shardIteratorType")):
        invalid(raw, "GetShardIterator", {k: v for k, v in body.items() if k != member},
                null_violation(field))
    short_arn, long_arn = arn[:36], arn + "x" * (1025 - len(arn))
    invalid(raw, "GetShardIterator", dict(body, StreamArn=short_arn),
            too_short(short_arn, "streamArn", 37))
    invalid(raw, "GetShardIterator", dict(body, StreamArn=long_arn),
            too_long(long_arn, "streamArn", 1024))
    short, long = LOWEST_SHARD_ID[:-1], HIGHEST_SHARD_ID + "9"
    invalid(raw, "GetShardIterator", dict(body, ShardId=short), too_short(short, "shardId", 28))
    invalid(raw, "GetShardIterator", dict(body, ShardId=long), too_long(long, "shardId", 65))
    for well_formed in (LOWEST_SHARD_ID, HIGHEST_SHARD_ID):  # at the limits, but no such shard
        error(raw, "GetShardIterator", dict(body, ShardId=well_formed), "ResourceNotFoundException",
              "Requested resource not found: Shard does not exist")
    r = error(raw, "GetShardIterator", dict(body, ShardIteratorType="FIRST"), "ValidationException")
    assert r.message.startswith(PREFIX + "Value 'FIRST' at 'shardIteratorType' failed to satisfy "
                                "constraint: Member must satisfy enum value set: ["), r


def test_get_shard_iterator_sequence_number_length(client, raw):
    arn = stream_table(client, "tbl_t")
    client.put_item(TableName="tbl_t", Item={"pk": {"S": "a"}})
    body = {"StreamArn": arn, "ShardId": shard_with_records(raw, arn),
            "ShardIteratorType": "AT_SEQUENCE_NUMBER"}
    it = ok(raw, "GetShardIterator", dict(body, ShardIteratorType="TRIM_HORIZON"))["ShardIterator"]
    (record,) = ok(raw, "GetRecords", {"ShardIterator": it})["Records"]
    number = record["dynamodb"]["SequenceNumber"]
    assert 21 <= len(number) <= 40
    for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        got = ok(raw, "GetShardIterator", dict(body, ShardIteratorType=kind,
                                               SequenceNumber=number))["ShardIterator"]
        records = ok(raw, "GetRecords", {"ShardIterator": got})["Records"]
        assert len(records) == (1 if kind == "AT_SEQUENCE_NUMBER" else 0)
    short, long = number[-20:].rjust(20, "0"), number.rjust(41, "0")
    invalid(raw, "GetShardIterator", dict(body, SequenceNumber=short),
            too_short(short, "sequenceNumber", 21))
    invalid(raw, "GetShardIterator", dict(body, SequenceNumber=long),
            too_long(long, "sequenceNumber", 40))


# --------------------------------------------------------------------------------------------------
# GetRecords.


def test_get_records_members(client, raw):
    arn = stream_table(client, "tbl_t")
    for i in range(3):  # one item: its records are in one shard
        client.put_item(TableName="tbl_t", Item={"pk": {"S": "k"}, "v": {"N": str(i)}})
    it = ok(raw, "GetShardIterator", {"StreamArn": arn, "ShardId": shard_with_records(raw, arn),
                                      "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
    assert 1 <= len(it) <= 2048
    page = ok(raw, "GetRecords", {"ShardIterator": it, "Limit": 1})
    assert len(page["Records"]) == 1 and page["NextShardIterator"]
    page = ok(raw, "GetRecords", {"ShardIterator": page["NextShardIterator"], "Limit": 1000})
    assert len(page["Records"]) == 2
    invalid(raw, "GetRecords", {}, null_violation("shardIterator"))
    invalid(raw, "GetRecords", {"ShardIterator": ""}, too_short("", "shardIterator", 1))
    long = "A" * 2049
    invalid(raw, "GetRecords", {"ShardIterator": long}, too_long(long, "shardIterator", 2048))
    for limit, relation, bound in ((0, "greater than or equal to", 1),
                                   (1001, "less than or equal to", 1000)):
        invalid(raw, "GetRecords", {"ShardIterator": it, "Limit": limit},
                value_violation(limit, "limit", relation, bound))
