"""The two API versions on the same tables: 2011-12-05 (boto 2's Layer1 and Layer2) and 2012-08-10
(boto 3, and boto 2's dynamodb2), with the same access key and credential-scope region.

DynamoDB behaviour checked: a table and its items are one thing whatever version made them.
- A table created with 2011-12-05 KeySchema {HashKeyElement, RangeKeyElement} is described by
  2012-08-10 as KeySchema [HASH, RANGE] with AttributeDefinitions of the same names and types, and
  the same CreationDateTime and throughput; items written by either version are read back
  identically by the other (GetItem, Query, Scan, BatchGetItem), and updates by one are seen by
  the other.
- A table created with 2012-08-10 (numeric hash key only, or with a global index the old version
  cannot express) is described by 2011-12-05 with its KeySchema as an object, and is fully usable
  and deletable through it.
- LastEvaluatedKey of one version, converted by key position, resumes a Query in the other.
"""

import pytest
from boto.dynamodb2.table import Table

import boto2_shim


@pytest.fixture
def old(server, access_key):
    return boto2_shim.layer1(server, access_key)


def test_created_with_2011_used_with_boto3(old, client):
    old.create_table('Forum', {'HashKeyElement': {'AttributeName': 'name', 'AttributeType': 'S'},
                               'RangeKeyElement': {'AttributeName': 'at', 'AttributeType': 'N'}},
                     {'ReadCapacityUnits': 4, 'WriteCapacityUnits': 2})
    old_desc = old.describe_table('Forum')['Table']
    desc = client.describe_table(TableName='Forum')['Table']
    assert desc['KeySchema'] == [{'AttributeName': 'name', 'KeyType': 'HASH'},
                                 {'AttributeName': 'at', 'KeyType': 'RANGE'}]
    assert desc['AttributeDefinitions'] == [{'AttributeName': 'name', 'AttributeType': 'S'},
                                            {'AttributeName': 'at', 'AttributeType': 'N'}]
    assert desc['ProvisionedThroughput']['ReadCapacityUnits'] == 4
    assert desc['ProvisionedThroughput']['WriteCapacityUnits'] == 2
    assert desc['CreationDateTime'].timestamp() == pytest.approx(old_desc['CreationDateTime'],
                                                                 abs=0.001)
    assert client.list_tables()['TableNames'] == ['Forum']

    old.put_item('Forum', {'name': {'S': 'db'}, 'at': {'N': '1'}, 'body': {'S': 'old'},
                           'bin': {'B': 'AAEC'}, 'ss': {'SS': ['a', 'b']}})
    got = client.get_item(TableName='Forum', Key={'name': {'S': 'db'}, 'at': {'N': '1'}},
                          ConsistentRead=True)
    assert got['Item'] == {'name': {'S': 'db'}, 'at': {'N': '1'}, 'body': {'S': 'old'},
                           'bin': {'B': b'\x00\x01\x02'}, 'ss': {'SS': ['a', 'b']}}

    client.put_item(TableName='Forum', Item={'name': {'S': 'db'}, 'at': {'N': '2'},
                                             'body': {'S': 'new'}, 'ok': {'BOOL': True}})
    client.update_item(TableName='Forum', Key={'name': {'S': 'db'}, 'at': {'N': '1'}},
                       UpdateExpression='SET body = :b', ExpressionAttributeValues={':b': {'S': 'x'}})
    got = old.get_item('Forum', {'HashKeyElement': {'S': 'db'}, 'RangeKeyElement': {'N': '2'}},
                       consistent_read=True)
    assert got['Item'] == {'name': {'S': 'db'}, 'at': {'N': '2'}, 'body': {'S': 'new'},
                           'ok': {'BOOL': True}}
    r = old.query('Forum', {'S': 'db'}, attributes_to_get=['at', 'body'])
    assert r['Items'] == [{'at': {'N': '1'}, 'body': {'S': 'x'}},
                          {'at': {'N': '2'}, 'body': {'S': 'new'}}]
    r = client.query(TableName='Forum', KeyConditionExpression='#n = :n',
                     ExpressionAttributeNames={'#n': 'name'},
                     ExpressionAttributeValues={':n': {'S': 'db'}})
    assert [i['at']['N'] for i in r['Items']] == ['1', '2']
    assert client.describe_table(TableName='Forum')['Table']['ItemCount'] == 2


def test_last_evaluated_key_crosses_versions(old, client):
    old.create_table('Log', {'HashKeyElement': {'AttributeName': 'k', 'AttributeType': 'S'},
                             'RangeKeyElement': {'AttributeName': 'n', 'AttributeType': 'N'}},
                     {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
    for i in range(1, 6):
        old.put_item('Log', {'k': {'S': 'x'}, 'n': {'N': str(i)}})
    first = client.query(TableName='Log', KeyConditionExpression='k = :k',
                         ExpressionAttributeValues={':k': {'S': 'x'}}, Limit=2)
    lek = first['LastEvaluatedKey']
    assert lek == {'k': {'S': 'x'}, 'n': {'N': '2'}}
    rest = old.query('Log', {'S': 'x'}, exclusive_start_key={'HashKeyElement': lek['k'],
                                                               'RangeKeyElement': lek['n']})
    assert [i['n']['N'] for i in rest['Items']] == ['3', '4', '5']
    page = old.query('Log', {'S': 'x'}, limit=4)
    old_lek = page['LastEvaluatedKey']
    assert old_lek == {'HashKeyElement': {'S': 'x'}, 'RangeKeyElement': {'N': '4'}}
    rest = client.query(TableName='Log', KeyConditionExpression='k = :k',
                        ExpressionAttributeValues={':k': {'S': 'x'}},
                        ExclusiveStartKey={'k': old_lek['HashKeyElement'],
                                           'n': old_lek['RangeKeyElement']})
    assert [i['n']['N'] for i in rest['Items']] == ['5']


def test_created_with_boto3_used_with_2011(old, client):
    client.create_table(
        TableName='Counters',
        KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}],
        AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'N'},
                              {'AttributeName': 'owner', 'AttributeType': 'S'}],
        GlobalSecondaryIndexes=[{
            'IndexName': 'by_owner',
            'KeySchema': [{'AttributeName': 'owner', 'KeyType': 'HASH'}],
            'Projection': {'ProjectionType': 'ALL'},
            'ProvisionedThroughput': {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1}}],
        ProvisionedThroughput={'ReadCapacityUnits': 3, 'WriteCapacityUnits': 3})
    desc = old.describe_table('Counters')['Table']
    assert desc['KeySchema'] == {'HashKeyElement': {'AttributeName': 'id', 'AttributeType': 'N'}}
    assert desc['ProvisionedThroughput'] == {'ReadCapacityUnits': 3, 'WriteCapacityUnits': 3}
    assert desc['TableStatus'] == 'ACTIVE'
    assert old.list_tables() == {'TableNames': ['Counters']}

    client.put_item(TableName='Counters', Item={'id': {'N': '1'}, 'owner': {'S': 'ann'},
                                                'hits': {'N': '10'}})
    # Writes through 2011-12-05 maintain the index the old version knows nothing of.
    old.put_item('Counters', {'id': {'N': '2'}, 'owner': {'S': 'ann'}, 'hits': {'N': '1'}})
    old.update_item('Counters', {'HashKeyElement': {'N': '1'}},
                    {'hits': {'Action': 'ADD', 'Value': {'N': '5'}}})
    r = client.query(TableName='Counters', IndexName='by_owner',
                     KeyConditionExpression='#o = :o', ExpressionAttributeNames={'#o': 'owner'},
                     ExpressionAttributeValues={':o': {'S': 'ann'}})
    assert sorted((i['id']['N'], i['hits']['N']) for i in r['Items']) == [('1', '15'), ('2', '1')]
    r = old.scan('Counters', {'hits': {'AttributeValueList': [{'N': '2'}],
                                       'ComparisonOperator': 'GT'}})
    assert r['Items'] == [{'id': {'N': '1'}, 'owner': {'S': 'ann'}, 'hits': {'N': '15'}}]
    r = old.batch_get_item({'Counters': {'Keys': [{'HashKeyElement': {'N': '1'}},
                                                  {'HashKeyElement': {'N': '2'}}]}})
    assert sorted(i['id']['N'] for i in r['Responses']['Counters']['Items']) == ['1', '2']
    old.delete_item('Counters', {'HashKeyElement': {'N': '2'}})
    assert client.scan(TableName='Counters')['Count'] == 1

    assert old.delete_table('Counters')['TableDescription']['TableStatus'] == 'DELETING'
    assert client.list_tables()['TableNames'] == []


def test_layer2_and_dynamodb2_share_a_table(server, access_key):
    l2 = boto2_shim.layer2(server, access_key)
    table = l2.create_table('shared', l2.create_schema('user', str, 'n', int), 2, 2)
    table.new_item('ann', 1, {'score': 7}).put()
    modern = Table('shared', connection=boto2_shim.dynamodb2(server, access_key))
    item = modern.get_item(user='ann', n=1)
    assert (item['user'], int(item['n']), int(item['score'])) == ('ann', 1, 7)
    item['score'] = 8
    assert item.partial_save()
    assert table.get_item('ann', 1, consistent_read=True)['score'] == 8
