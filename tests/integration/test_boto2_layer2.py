"""boto.dynamodb.layer2: boto 2's object layer over the 2011-12-05 API (Table, Item, Schema,
table.query / table.scan generators, batch lists), on a Cairn server.

DynamoDB behaviour checked, through what Layer2 reads from the 2011 responses:
- create_schema / create_table: the Table carries the schema, the throughput and the status that
  CreateTable answered; get_table (DescribeTable) rebuilds the same Schema; refresh() reads
  ItemCount; update_throughput and delete update the Table from UpdateTable / DeleteTable.
- new_item(...).put(), get_item (numbers and sets decoded), item.save() (UpdateItem with the
  pending PUT / ADD / DELETE actions), item.delete(); consumed_units from ConsumedCapacityUnits.
- table.query with range-key conditions, reverse order, request_limit paging through
  LastEvaluatedKey (TableGenerator), max_results, count; table.scan with a scan filter.
- batch get (BatchList, and table.batch_get_item's generator) and batch write (BatchWriteList).
- ConditionalCheckFailedException becomes DynamoDBConditionalCheckFailedError.
"""

import pytest
from boto.dynamodb.condition import BEGINS_WITH, BETWEEN, EQ, GT, LT, NULL
from boto.dynamodb.exceptions import DynamoDBConditionalCheckFailedError, DynamoDBKeyNotFoundError
from boto.dynamodb.schema import Schema

import boto2_shim


@pytest.fixture
def layer2(server, access_key):
    return boto2_shim.layer2(server, access_key)


@pytest.fixture
def messages(layer2):
    """Table 'messages' (forum S, subject S) with six items in forum 'f1' and one in 'f2'."""
    schema = layer2.create_schema(hash_key_name='forum', hash_key_proto_value=str,
                                  range_key_name='subject', range_key_proto_value=str)
    table = layer2.create_table('messages', schema, read_units=5, write_units=5)
    for i in range(6):
        item = table.new_item(hash_key='f1', range_key='s%d' % i,
                              attrs={'views': i, 'tags': {'a', 'b'}})
        assert item.put() == {'ConsumedCapacityUnits': 1.0}
        assert item.consumed_units == 1.0
    table.new_item('f2', 'other', {'views': 100}).put()
    return table


def test_create_get_and_refresh_table(layer2, messages):
    assert messages.name == 'messages'
    assert messages.schema == Schema.create(('forum', 'S'), ('subject', 'S'))
    assert messages.read_units == 5 and messages.write_units == 5
    assert messages.status == 'ACTIVE'
    assert isinstance(messages.create_time, float)
    assert layer2.list_tables() == ['messages']
    again = layer2.get_table('messages')
    assert again.schema == messages.schema
    assert again.item_count == 7
    assert again.create_time == messages.create_time
    messages.refresh(wait_for_active=True)
    assert messages.item_count == 7
    assert messages.size_bytes > 0


def test_item_get_save_and_delete(messages):
    item = messages.get_item('f1', 's1', consistent_read=True)
    assert dict(item) == {'forum': 'f1', 'subject': 's1', 'views': 1, 'tags': {'a', 'b'}}
    assert item.consumed_units == 1.0
    item['title'] = 'hello'          # PUT
    item.add_attribute('views', 10)  # ADD
    item.delete_attribute('tags', {'a'})  # DELETE from the set
    r = item.save(return_values='ALL_NEW')
    assert r == {'Attributes': {'forum': 'f1', 'subject': 's1', 'views': 11, 'tags': {'b'},
                                'title': 'hello'},
                 'ConsumedCapacityUnits': 1.0}
    assert dict(messages.get_item('f1', 's1')) == {'forum': 'f1', 'subject': 's1', 'views': 11,
                                                   'tags': {'b'}, 'title': 'hello'}
    assert messages.has_item('f1', 's1', consistent_read=True)
    item.delete()
    assert not messages.has_item('f1', 's1', consistent_read=True)
    with pytest.raises(DynamoDBKeyNotFoundError):
        messages.get_item('f1', 's1')


def test_conditional_put_and_save(messages):
    item = messages.new_item('f1', 's2', {'views': 0})
    with pytest.raises(DynamoDBConditionalCheckFailedError):
        item.put(expected_value={'views': False})  # the attribute must not exist
    item.put(expected_value={'views': 2})
    item.put_attribute('views', 5)
    with pytest.raises(DynamoDBConditionalCheckFailedError):
        item.save(expected_value={'views': 1})
    assert messages.get_item('f1', 's2', consistent_read=True)['views'] == 0


def subjects(results):
    return [i['subject'] for i in results]


def test_query(messages):
    assert subjects(messages.query('f1')) == ['s0', 's1', 's2', 's3', 's4', 's5']
    assert subjects(messages.query('f1', range_key_condition=GT('s3'))) == ['s4', 's5']
    assert subjects(messages.query('f1', range_key_condition=BETWEEN('s1', 's3'),
                                   scan_index_forward=False)) == ['s3', 's2', 's1']
    assert subjects(messages.query('f1', range_key_condition=BEGINS_WITH('s'),
                                   max_results=4)) == ['s0', 's1', 's2', 's3']
    assert subjects(messages.query('f1', range_key_condition=EQ('s4'))) == ['s4']
    assert subjects(messages.query('f1', range_key_condition=LT('s0'))) == []
    paged = messages.query('f1', request_limit=4)
    assert subjects(paged) == ['s0', 's1', 's2', 's3', 's4', 's5']
    assert paged.consumed_units == 1.0  # two pages of 0.5
    assert paged.last_evaluated_key is None
    first_page = messages.query('f1', request_limit=4)
    first_page.response  # one request
    assert first_page.last_evaluated_key == ('f1', 's3')
    resumed = messages.query('f1', exclusive_start_key=('f1', 's3'))
    assert subjects(resumed) == ['s4', 's5']
    counted = messages.query('f1', count=True)
    assert list(counted) == []
    assert counted.count == 6
    only = list(messages.query('f1', range_key_condition=EQ('s2'), attributes_to_get=['views']))
    assert [dict(i) for i in only] == [{'forum': None, 'subject': None, 'views': 2}]


def test_scan(messages):
    assert sorted(subjects(messages.scan())) == ['other', 's0', 's1', 's2', 's3', 's4', 's5']
    big = messages.scan(scan_filter={'views': GT(3)})
    assert sorted((i['forum'], i['subject'], i['views']) for i in big) == [
        ('f1', 's4', 4), ('f1', 's5', 5), ('f2', 'other', 100)]
    assert big.scanned_count == 7 and big.count == 3
    assert subjects(messages.scan(scan_filter={'tags': NULL()})) == ['other']
    paged = messages.scan(request_limit=3)
    assert len(list(paged)) == 7
    assert paged.scanned_count == 7
    counted = messages.scan(count=True)
    list(counted)
    assert counted.count == 7


def test_batch_get_and_write(layer2, messages):
    batch = layer2.new_batch_list()
    batch.add_batch(messages, [('f1', 's0'), ('f1', 's5'), ('f1', 'missing')])
    r = batch.submit()
    assert r['UnprocessedKeys'] == {}
    assert r['Responses']['messages']['ConsumedCapacityUnits'] == 1.5
    assert sorted(i['subject'] for i in r['Responses']['messages']['Items']) == ['s0', 's5']

    writes = layer2.new_batch_write_list()
    writes.add_batch(messages, puts=[messages.new_item('f3', 'new', {'views': 7})],
                     deletes=[('f1', 's0'), ('f1', 's1')])
    r = writes.submit()
    assert r == {'Responses': {'messages': {'ConsumedCapacityUnits': 3.0}},
                 'UnprocessedItems': {}}
    got = list(messages.batch_get_item([('f3', 'new'), ('f1', 's0'), ('f1', 's2')]))
    assert sorted((i['forum'], i['subject']) for i in got) == [('f1', 's2'), ('f3', 'new')]


def test_update_throughput_and_delete(layer2, messages):
    messages.update_throughput(8, 4)
    assert messages.read_units == 8 and messages.write_units == 4
    assert layer2.get_table('messages').read_units == 8
    messages.delete()
    assert messages.status == 'DELETING'
    assert layer2.list_tables() == []


def test_hash_only_table_with_numbers(layer2):
    schema = layer2.create_schema('id', 1)
    assert schema.dict == {'HashKeyElement': {'AttributeName': 'id', 'AttributeType': 'N'}}
    table = layer2.create_table('counters', schema, 1, 1)
    table.new_item(hash_key=1, attrs={'value': 10, 'ratio': 0.25, 'scores': {1, 2}}).put()
    item = table.get_item(1)
    assert dict(item) == {'id': 1, 'value': 10, 'ratio': 0.25, 'scores': {1, 2}}
    item.add_attribute('value', -3)
    item.save()
    assert table.get_item(1, consistent_read=True)['value'] == 7
    assert [dict(i) for i in table.scan()] == [{'id': 1, 'value': 7, 'ratio': 0.25,
                                                 'scores': {1, 2}}]
