"""Seed 003: boto 2's DynamoDB tutorial (shared/seeds/003_*.txt), step by step with
boto.dynamodb.layer1.Layer1, which speaks the 2011-12-05 API (X-Amz-Target DynamoDB_20111205.*);
then that API version's other operations and shapes.

DynamoDB behaviour checked (2011-12-05 API reference):
- ListTables answers {"TableNames": [...]}.
- CreateTable takes KeySchema as an object {"HashKeyElement": {"AttributeName", "AttributeType"},
  "RangeKeyElement": {...}} and answers a TableDescription with exactly CreationDateTime (epoch
  seconds, a number), KeySchema (the same object), ProvisionedThroughput, TableName and
  TableStatus; DescribeTable adds ItemCount and TableSizeBytes; DeleteTable answers TableStatus
  DELETING with the table's throughput.
- Every data operation answers ConsumedCapacityUnits as a number (1.0 for a small write and for a
  small consistent read, 0.5 for an eventually consistent one).
- Items are addressed by position: Key {"HashKeyElement": v, "RangeKeyElement": v}; Query takes
  HashKeyValue and RangeKeyCondition; LastEvaluatedKey comes back by position too and is accepted
  as ExclusiveStartKey; Count answers Count without Items.
- UpdateItem AttributeUpdates PUT / ADD / DELETE, Expected, ReturnValues.
- BatchGetItem answers Responses {table: {Items, ConsumedCapacityUnits}} and UnprocessedKeys;
  BatchWriteItem answers Responses {table: {ConsumedCapacityUnits}} and UnprocessedItems.
- Errors of DynamoDB's own types carry the namespace com.amazonaws.dynamodb.v20111205 (boto 2
  matches on the type after it: ConditionalCheckFailedException -> its own exception class);
  ValidationException stays com.amazon.coral.validate.
- Responses carry x-amz-crc32, which boto 2 checks (with retries off, a mismatch would raise).
Where Cairn differs on purpose: CreateTable answers TableStatus ACTIVE (the table is usable at
once, as in DynamoDB Local); the tutorial, run against DynamoDB, printed CREATING.
"""

import time

import pytest
from boto.dynamodb.exceptions import (DynamoDBConditionalCheckFailedError,
                                      DynamoDBKeyNotFoundError, DynamoDBResponseError,
                                      DynamoDBValidationError)

import boto2_shim
from conftest import check_protocol_headers, create_table, unique_access_key

NS_2011 = "com.amazonaws.dynamodb.v20111205#"

# The tutorial's values.
table_name = 'table-name'
hash_key_name = 'key_name'
hash_key_type = 'S'
range_key_name = 'range_key_name'
range_key_type = 'S'
read_units = 10
write_units = 10
schema = {'HashKeyElement': {'AttributeName': hash_key_name,
                             'AttributeType': hash_key_type},
          'RangeKeyElement': {'AttributeName': range_key_name,
                              'AttributeType': range_key_type}}
provisioned_throughput = {'ReadCapacityUnits': read_units,
                          'WriteCapacityUnits': write_units}
item_data = {
    hash_key_name: {hash_key_type: 'Sample Key Value'},
    range_key_name: {range_key_type: 'Sample Range Key Value'},
    'Subject': {'S': 'LOL watch this lolcat'},
    'Body': {'S': 'http://url_to_lolcat.gif'},
    'SentBy': {'S': 'User A'},
    'ReceivedTime': {'S': '12/9/2011 11:36:03 PM'}
}
# The tutorial's key1 names item1_key / item1_range: the key values of item_data.
item1_key = 'Sample Key Value'
item1_range = 'Sample Range Key Value'
key1 = {'HashKeyElement': {hash_key_type: item1_key},
        'RangeKeyElement': {range_key_type: item1_range}}


# --------------------------------------------------------------------------------------------------
# The tutorial, in order, on one namespace. Its steps build on one another, so they share one
# xdist worker (cairn.sh runs pytest with --dist loadgroup); without the mark, -n 2 may split them.

tutorial_step = pytest.mark.xdist_group("boto2_layer1_tutorial")

@pytest.fixture(scope="module")
def tutorial(server):
    """The tutorial's connection; its namespace already holds 'test-table', which the tutorial's
    first listing shows (made here through the current API, boto 3)."""
    key = unique_access_key()
    create_table(server.client(key), 'test-table')
    return boto2_shim.layer1(server, key)


@tutorial_step
def test_tutorial_list_tables(tutorial):
    conn = tutorial
    assert conn.list_tables() == {'TableNames': ['test-table']}


@tutorial_step
def test_tutorial_create_table(tutorial):
    conn = tutorial
    before = time.time()
    result = conn.create_table(table_name, schema, provisioned_throughput)
    desc = result['TableDescription']
    assert set(result) == {'TableDescription'}
    assert set(desc) == {'KeySchema', 'TableName', 'CreationDateTime', 'TableStatus',
                         'ProvisionedThroughput'}
    assert desc['KeySchema'] == {
        'RangeKeyElement': {'AttributeName': 'range_key_name', 'AttributeType': 'S'},
        'HashKeyElement': {'AttributeName': 'key_name', 'AttributeType': 'S'}}
    assert desc['TableName'] == 'table-name'
    assert isinstance(desc['CreationDateTime'], float)
    assert before - 5 <= desc['CreationDateTime'] <= time.time() + 5
    assert desc['TableStatus'] == 'ACTIVE'  # DynamoDB: CREATING, then ACTIVE
    assert desc['ProvisionedThroughput'] == {'WriteCapacityUnits': 10, 'ReadCapacityUnits': 10}


@tutorial_step
def test_tutorial_describe_table(tutorial):
    conn = tutorial
    result = conn.describe_table(table_name)
    assert set(result) == {'Table'}
    desc = result['Table']
    assert set(desc) == {'CreationDateTime', 'ItemCount', 'KeySchema', 'ProvisionedThroughput',
                         'TableName', 'TableSizeBytes', 'TableStatus'}
    assert desc['KeySchema'] == schema
    assert desc['TableName'] == table_name
    assert desc['TableStatus'] == 'ACTIVE'
    assert desc['ItemCount'] == 0
    assert desc['TableSizeBytes'] == 0
    assert desc['ProvisionedThroughput'] == {'ReadCapacityUnits': 10, 'WriteCapacityUnits': 10}


@tutorial_step
def test_tutorial_add_item(tutorial):
    conn = tutorial
    result = conn.put_item(table_name, item_data)
    assert result == {'ConsumedCapacityUnits': 1.0}
    assert isinstance(result['ConsumedCapacityUnits'], float)


@tutorial_step
def test_tutorial_get_item_consistent(tutorial):
    conn = tutorial
    result = conn.get_item(table_name, key=key1, consistent_read=True)
    assert result == {'Item': item_data, 'ConsumedCapacityUnits': 1.0}
    assert result['Item']['Subject'] == {'S': 'LOL watch this lolcat'}
    assert result['Item']['ReceivedTime'] == {'S': '12/9/2011 11:36:03 PM'}


@tutorial_step
def test_tutorial_update_item(tutorial):
    conn = tutorial
    attrs_to_update = {'Subject': {'Value': {'S': 'Sup, Groovycat'}, 'Action': 'PUT'}}
    result = conn.update_item(table_name, key1, attrs_to_update)
    assert result == {'ConsumedCapacityUnits': 1.0}
    item = conn.get_item(table_name, key=key1, consistent_read=True)['Item']
    assert item == dict(item_data, Subject={'S': 'Sup, Groovycat'})


@tutorial_step
def test_tutorial_delete_item(tutorial):
    conn = tutorial
    assert conn.delete_item(table_name, key=key1) == {'ConsumedCapacityUnits': 1.0}
    with pytest.raises(DynamoDBKeyNotFoundError):
        conn.get_item(table_name, key=key1, consistent_read=True)


@tutorial_step
def test_tutorial_delete_table(tutorial):
    conn = tutorial
    result = conn.delete_table(table_name)
    desc = result['TableDescription']
    # The tutorial prints these three members; the 2011 API reference adds CreationDateTime and
    # KeySchema.
    assert desc['ProvisionedThroughput'] == {'WriteCapacityUnits': 10, 'ReadCapacityUnits': 10}
    assert desc['TableName'] == 'table-name'
    assert desc['TableStatus'] == 'DELETING'
    assert desc['KeySchema'] == schema
    assert conn.list_tables() == {'TableNames': ['test-table']}


# --------------------------------------------------------------------------------------------------
# The rest of the 2011-12-05 API.


@pytest.fixture
def conn(server, access_key):
    return boto2_shim.layer1(server, access_key)


def make_thread_table(conn, name='Thread'):
    conn.create_table(name, {'HashKeyElement': {'AttributeName': 'forum', 'AttributeType': 'S'},
                             'RangeKeyElement': {'AttributeName': 'n', 'AttributeType': 'N'}},
                      {'ReadCapacityUnits': 5, 'WriteCapacityUnits': 5})
    for i in range(1, 8):
        conn.put_item(name, {'forum': {'S': 'a'}, 'n': {'N': str(i)}, 'tag': {'S': 'x%d' % (i % 2)}})
    conn.put_item(name, {'forum': {'S': 'b'}, 'n': {'N': '1'}})


def key(forum, n):
    return {'HashKeyElement': {'S': forum}, 'RangeKeyElement': {'N': str(n)}}


def ns(items):
    return [int(i['n']['N']) for i in items]


def test_hash_only_table_and_eventually_consistent_get(conn):
    conn.create_table('Users', {'HashKeyElement': {'AttributeName': 'id', 'AttributeType': 'N'}},
                      {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
    desc = conn.describe_table('Users')['Table']
    assert desc['KeySchema'] == {'HashKeyElement': {'AttributeName': 'id', 'AttributeType': 'N'}}
    conn.put_item('Users', {'id': {'N': '7'}, 'name': {'S': 'Ann'}, 'nums': {'NS': ['1', '2']}})
    got = conn.get_item('Users', {'HashKeyElement': {'N': '7'}})
    assert got == {'Item': {'id': {'N': '7'}, 'name': {'S': 'Ann'}, 'nums': {'NS': ['1', '2']}},
                   'ConsumedCapacityUnits': 0.5}
    got = conn.get_item('Users', {'HashKeyElement': {'N': '7'}}, attributes_to_get=['name'])
    assert got['Item'] == {'name': {'S': 'Ann'}}
    assert conn.describe_table('Users')['Table']['ItemCount'] == 1


def test_put_item_return_values_and_expected(conn):
    make_thread_table(conn)
    old = conn.put_item('Thread', {'forum': {'S': 'a'}, 'n': {'N': '1'}, 'v': {'S': 'new'}},
                        return_values='ALL_OLD')
    assert old == {'Attributes': {'forum': {'S': 'a'}, 'n': {'N': '1'}, 'tag': {'S': 'x1'}},
                   'ConsumedCapacityUnits': 1.0}
    # Expected {Exists: false} on an existing item fails; {Value} that matches succeeds.
    with pytest.raises(DynamoDBConditionalCheckFailedError) as e:
        conn.put_item('Thread', {'forum': {'S': 'a'}, 'n': {'N': '1'}},
                      expected={'v': {'Exists': False}})
    assert e.value.status == 400
    assert e.value.body == {'__type': NS_2011 + 'ConditionalCheckFailedException',
                            'message': 'The conditional request failed'}
    conn.put_item('Thread', {'forum': {'S': 'a'}, 'n': {'N': '1'}, 'v': {'S': 'newer'}},
                  expected={'v': {'Value': {'S': 'new'}}})
    got = conn.get_item('Thread', key('a', 1), consistent_read=True)['Item']
    assert got == {'forum': {'S': 'a'}, 'n': {'N': '1'}, 'v': {'S': 'newer'}}


def test_update_item_add_delete_and_return_values(conn):
    make_thread_table(conn)
    r = conn.update_item('Thread', key('a', 2),
                         {'count': {'Action': 'ADD', 'Value': {'N': '5'}},
                          'colors': {'Action': 'PUT', 'Value': {'SS': ['red', 'blue']}}},
                         return_values='ALL_NEW')
    assert r == {'Attributes': {'forum': {'S': 'a'}, 'n': {'N': '2'}, 'tag': {'S': 'x0'},
                                'count': {'N': '5'}, 'colors': {'SS': ['red', 'blue']}},
                 'ConsumedCapacityUnits': 1.0}
    r = conn.update_item('Thread', key('a', 2),
                         {'count': {'Action': 'ADD', 'Value': {'N': '-2'}},
                          'colors': {'Action': 'DELETE', 'Value': {'SS': ['red']}},
                          'tag': {'Action': 'DELETE'}},
                         return_values='UPDATED_OLD')
    assert r == {'Attributes': {'count': {'N': '5'}, 'colors': {'SS': ['red', 'blue']},
                                'tag': {'S': 'x0'}},
                 'ConsumedCapacityUnits': 1.0}
    got = conn.get_item('Thread', key('a', 2), consistent_read=True)['Item']
    assert got == {'forum': {'S': 'a'}, 'n': {'N': '2'}, 'count': {'N': '3'},
                   'colors': {'SS': ['blue']}}
    # UpdateItem creates a missing item; a failed Expected changes nothing.
    conn.update_item('Thread', key('c', 1), {'v': {'Action': 'PUT', 'Value': {'S': 'made'}}})
    with pytest.raises(DynamoDBConditionalCheckFailedError):
        conn.update_item('Thread', key('c', 1), {'v': {'Action': 'PUT', 'Value': {'S': 'no'}}},
                         expected={'v': {'Value': {'S': 'other'}}})
    got = conn.get_item('Thread', key('c', 1), consistent_read=True)['Item']
    assert got == {'forum': {'S': 'c'}, 'n': {'N': '1'}, 'v': {'S': 'made'}}


def test_delete_item_return_values(conn):
    make_thread_table(conn)
    r = conn.delete_item('Thread', key('a', 3), return_values='ALL_OLD')
    assert r == {'Attributes': {'forum': {'S': 'a'}, 'n': {'N': '3'}, 'tag': {'S': 'x1'}},
                 'ConsumedCapacityUnits': 1.0}
    with pytest.raises(DynamoDBConditionalCheckFailedError):
        conn.delete_item('Thread', key('a', 4), expected={'tag': {'Value': {'S': 'x1'}}})
    assert conn.get_item('Thread', key('a', 4))['Item']['tag'] == {'S': 'x0'}


def test_query_range_conditions_order_and_count(conn):
    make_thread_table(conn)
    r = conn.query('Thread', {'S': 'a'}, consistent_read=True)
    assert ns(r['Items']) == [1, 2, 3, 4, 5, 6, 7]
    assert r['Count'] == 7
    assert r['ConsumedCapacityUnits'] == 1.0
    assert 'LastEvaluatedKey' not in r
    r = conn.query('Thread', {'S': 'a'},
                   {'AttributeValueList': [{'N': '2'}, {'N': '5'}], 'ComparisonOperator': 'BETWEEN'},
                   scan_index_forward=False)
    assert ns(r['Items']) == [5, 4, 3, 2]
    assert r['ConsumedCapacityUnits'] == 0.5
    r = conn.query('Thread', {'S': 'a'}, {'AttributeValueList': [{'N': '5'}],
                                          'ComparisonOperator': 'GT'},
                   attributes_to_get=['n'])
    assert r['Items'] == [{'n': {'N': '6'}}, {'n': {'N': '7'}}]
    r = conn.query('Thread', {'S': 'a'}, count=True)
    assert r == {'Count': 7, 'ConsumedCapacityUnits': 0.5}
    assert conn.query('Thread', {'S': 'zzz'}) == {'Count': 0, 'Items': [],
                                                   'ConsumedCapacityUnits': 0.5}


def test_query_paging_with_last_evaluated_key(conn):
    make_thread_table(conn)
    r = conn.query('Thread', {'S': 'a'}, limit=3)
    assert ns(r['Items']) == [1, 2, 3]
    assert r['LastEvaluatedKey'] == {'HashKeyElement': {'S': 'a'},
                                     'RangeKeyElement': {'N': '3'}}
    seen = ns(r['Items'])
    for _ in range(5):
        if 'LastEvaluatedKey' not in r:
            break
        r = conn.query('Thread', {'S': 'a'}, limit=3, exclusive_start_key=r['LastEvaluatedKey'])
        seen += ns(r['Items'])
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    r = conn.query('Thread', {'S': 'a'}, limit=2, scan_index_forward=False,
                   exclusive_start_key=key('a', 4))
    assert ns(r['Items']) == [3, 2]


def test_scan_filter_paging_and_count(conn):
    make_thread_table(conn)
    r = conn.scan('Thread')
    assert r['Count'] == 8 and r['ScannedCount'] == 8
    assert sorted(ns(r['Items'])) == [1, 1, 2, 3, 4, 5, 6, 7]
    assert r['ConsumedCapacityUnits'] == 0.5
    r = conn.scan('Thread', {'tag': {'AttributeValueList': [{'S': 'x1'}],
                                     'ComparisonOperator': 'EQ'}})
    assert sorted(ns(r['Items'])) == [1, 3, 5, 7]
    assert r['Count'] == 4 and r['ScannedCount'] == 8
    r = conn.scan('Thread', {'tag': {'ComparisonOperator': 'NULL'}}, count=True)
    assert r == {'Count': 1, 'ScannedCount': 8, 'ConsumedCapacityUnits': 0.5}
    keys, pages = [], 0
    start = None
    while pages < 10:
        r = conn.scan('Thread', limit=3, exclusive_start_key=start)
        pages += 1
        keys += [(i['forum']['S'], int(i['n']['N'])) for i in r['Items']]
        if 'LastEvaluatedKey' not in r:
            break
        start = r['LastEvaluatedKey']
        assert set(start) == {'HashKeyElement', 'RangeKeyElement'}
    assert pages == 3
    assert sorted(keys) == [('a', i) for i in range(1, 8)] + [('b', 1)]


def test_batch_get_and_write(conn):
    make_thread_table(conn)
    conn.create_table('Users', {'HashKeyElement': {'AttributeName': 'id', 'AttributeType': 'S'}},
                      {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
    r = conn.batch_write_item({
        'Thread': [{'PutRequest': {'Item': {'forum': {'S': 'z'}, 'n': {'N': '9'}}}},
                   {'DeleteRequest': {'Key': key('a', 1)}}],
        'Users': [{'PutRequest': {'Item': {'id': {'S': 'u1'}, 'age': {'N': '30'}}}}],
    })
    assert r == {'Responses': {'Thread': {'ConsumedCapacityUnits': 2.0},
                               'Users': {'ConsumedCapacityUnits': 1.0}},
                 'UnprocessedItems': {}}
    r = conn.batch_get_item({
        'Thread': {'Keys': [key('z', 9), key('a', 1), key('a', 2)],
                   'AttributesToGet': ['forum', 'n']},
        'Users': {'Keys': [{'HashKeyElement': {'S': 'u1'}}], 'ConsistentRead': True},
    })
    assert set(r) == {'Responses', 'UnprocessedKeys'}
    assert r['UnprocessedKeys'] == {}
    thread = r['Responses']['Thread']
    assert sorted(ns(thread['Items'])) == [2, 9]
    assert all(set(i) == {'forum', 'n'} for i in thread['Items'])
    assert thread['ConsumedCapacityUnits'] == 1.5  # three eventually consistent reads
    assert r['Responses']['Users'] == {'Items': [{'id': {'S': 'u1'}, 'age': {'N': '30'}}],
                                       'ConsumedCapacityUnits': 1.0}


def test_update_table_throughput(conn):
    make_thread_table(conn)
    r = conn.update_table('Thread', {'ReadCapacityUnits': 7, 'WriteCapacityUnits': 3})
    desc = r['TableDescription']
    assert desc['ProvisionedThroughput']['ReadCapacityUnits'] == 7
    assert desc['ProvisionedThroughput']['WriteCapacityUnits'] == 3
    assert isinstance(desc['ProvisionedThroughput']['LastIncreaseDateTime'], float)
    assert isinstance(desc['ProvisionedThroughput']['LastDecreaseDateTime'], float)
    assert desc['ItemCount'] == 8
    assert desc['KeySchema']['RangeKeyElement'] == {'AttributeName': 'n', 'AttributeType': 'N'}
    assert conn.describe_table('Thread')['Table']['ProvisionedThroughput']['ReadCapacityUnits'] == 7


def test_list_tables_paging(conn):
    for name in ('t-c', 't-a', 't-b'):
        conn.create_table(name, {'HashKeyElement': {'AttributeName': 'k', 'AttributeType': 'S'}},
                          {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
    assert conn.list_tables(limit=2) == {'TableNames': ['t-a', 't-b'],
                                         'LastEvaluatedTableName': 't-b'}
    assert conn.list_tables(start_table='t-b') == {'TableNames': ['t-c']}


# --------------------------------------------------------------------------------------------------
# Errors.


def test_missing_table_is_resource_not_found_in_2011_namespace(conn):
    with pytest.raises(DynamoDBResponseError) as e:
        conn.describe_table('nope')
    assert e.value.status == 400
    assert e.value.body == {'__type': NS_2011 + 'ResourceNotFoundException',
                            'message': 'Requested resource not found: Table: nope not found'}
    for call in (lambda: conn.put_item('nope', {'k': {'S': 'x'}}),
                 lambda: conn.get_item('nope', {'HashKeyElement': {'S': 'x'}}),
                 lambda: conn.query('nope', {'S': 'x'}),
                 lambda: conn.scan('nope'),
                 lambda: conn.delete_table('nope')):
        with pytest.raises(DynamoDBResponseError) as e:
            call()
        assert e.value.body['__type'] == NS_2011 + 'ResourceNotFoundException'


def test_existing_table_is_resource_in_use(conn):
    conn.create_table('Dup', {'HashKeyElement': {'AttributeName': 'k', 'AttributeType': 'S'}},
                      {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
    with pytest.raises(DynamoDBResponseError) as e:
        conn.create_table('Dup', {'HashKeyElement': {'AttributeName': 'k', 'AttributeType': 'S'}},
                          {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
    assert e.value.body['__type'] == NS_2011 + 'ResourceInUseException'


def test_validation_errors_keep_the_coral_namespace(conn):
    make_thread_table(conn)
    with pytest.raises(DynamoDBValidationError) as e:
        conn.get_item('Thread', {'RangeKeyElement': {'N': '1'}})
    assert e.value.body == {
        '__type': 'com.amazon.coral.validate#ValidationException',
        'message': "1 validation error detected: Value null at 'key.hashKeyElement' failed to "
                   "satisfy constraint: Member must not be null"}
    # A key without its range element, or of the wrong type, does not match the schema.
    for bad in ({'HashKeyElement': {'S': 'a'}},
                {'HashKeyElement': {'S': 'a'}, 'RangeKeyElement': {'S': '1'}}):
        with pytest.raises(DynamoDBValidationError) as e:
            conn.get_item('Thread', bad)
        assert e.value.body['message'] == 'The provided key element does not match the schema'
    with pytest.raises(DynamoDBValidationError) as e:
        conn.put_item('Thread', {'forum': {'S': 'a'}})
    assert e.value.body['message'] == ('One or more parameter values were invalid: Missing the '
                                       'key n in the item')
    with pytest.raises(DynamoDBValidationError) as e:
        conn.create_table('Bad', {'HashKeyElement': {'AttributeName': 'k', 'AttributeType': 'X'}},
                          {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
    assert e.value.body['message'] == (
        "1 validation error detected: Value 'X' at 'keySchema.hashKeyElement.attributeType' "
        "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]")
    with pytest.raises(DynamoDBValidationError) as e:
        conn.batch_get_item({'ab': {'Keys': [{'HashKeyElement': {'S': 'a'}}]}})
    assert e.value.body['message'] == (
        "1 validation error detected: Value 'ab' at 'requestItems' failed to satisfy constraint: "
        "Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
        "Member must have length greater than or equal to 3, Member must satisfy regular "
        "expression pattern: [a-zA-Z0-9_.-]+]")
    with pytest.raises(DynamoDBValidationError) as e:
        conn.query('Thread', {'S': 'a'}, attributes_to_get=['n'], count=True)
    assert e.value.body['message'] == ('Cannot specify the AttributesToGet when choosing to get '
                                       'only the Count')


def test_protocol_headers_and_unknown_operation(raw):
    r = raw.request(None, {}, target='DynamoDB_20111205.ListTables')
    assert r.status == 200
    assert r.json == {'TableNames': []}
    check_protocol_headers(r)
    r = raw.request(None, {}, target='DynamoDB_20111205.DescribeTimeToLive')
    assert r.status == 400
    assert r.error_type == 'UnknownOperationException'
    check_protocol_headers(r)
    r = raw.request(None, {'TableName': 'nope'}, target='DynamoDB_20111205.DescribeTable')
    assert r.status == 400
    assert r.json['__type'] == NS_2011 + 'ResourceNotFoundException'
    check_protocol_headers(r)


def test_credential_scope_region_selects_the_tables(server, access_key):
    east = boto2_shim.layer1(server, access_key, region='us-east-1')
    west = boto2_shim.layer1(server, access_key, region='us-west-2')
    east.create_table('East', {'HashKeyElement': {'AttributeName': 'k', 'AttributeType': 'S'}},
                      {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
    assert east.list_tables() == {'TableNames': ['East']}
    assert west.list_tables() == {'TableNames': []}
