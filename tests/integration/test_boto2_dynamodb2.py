"""boto.dynamodb2: boto 2's second DynamoDB module, which speaks the 2012-08-10 API with its
legacy parameter forms (KeyConditions, QueryFilter, ScanFilter, Expected, AttributeUpdates,
AttributesToGet), on a Cairn server.

DynamoDB behaviour checked, through boto.dynamodb2.table.Table:
- Table.create with HashKey / RangeKey (and a global index) and throughput; describe() rebuilds
  the schema and throughput; update() changes the throughput; delete() drops the table.
- put_item (overwrite=False is a conditional put: ConditionalCheckFailedException on an existing
  item), get_item (numbers decoded as Decimal, sets), has_item, item.save() / partial_save()
  (UpdateItem with AttributeUpdates and Expected), delete_item, count() (DescribeTable ItemCount).
- query_2 with key conditions, a query filter, reverse, limit paging, attributes, a global index;
  query_count; scan with filters and limit; batch_write (puts and deletes) and batch_get.
"""

from decimal import Decimal

import pytest
from boto.dynamodb2.exceptions import ConditionalCheckFailedException, ItemNotFound
from boto.dynamodb2.fields import GlobalAllIndex, HashKey, RangeKey
from boto.dynamodb2.table import Table
from boto.dynamodb2.types import NUMBER, STRING

import boto2_shim


@pytest.fixture
def conn(server, access_key):
    return boto2_shim.dynamodb2(server, access_key)


@pytest.fixture
def users(conn):
    """Table 'users' (username S HASH, n N RANGE, global index by_city on city) with items
    jane/1..5 and bob/1."""
    table = Table.create('users', schema=[HashKey('username'), RangeKey('n', data_type=NUMBER)],
                         throughput={'read': 5, 'write': 5},
                         global_indexes=[GlobalAllIndex('by_city', parts=[HashKey('city')],
                                                        throughput={'read': 1, 'write': 1})],
                         connection=conn)
    for i in range(1, 6):
        assert table.put_item(data={'username': 'jane', 'n': i, 'city': 'Oslo' if i % 2 else 'Rome',
                                    'tags': {'x', 'y'}})
    table.put_item(data={'username': 'bob', 'n': 1, 'city': 'Oslo'})
    return table


def test_create_and_describe(conn, users):
    desc = users.describe()['Table']
    assert desc['TableStatus'] == 'ACTIVE'
    assert desc['KeySchema'] == [{'AttributeName': 'username', 'KeyType': 'HASH'},
                                 {'AttributeName': 'n', 'KeyType': 'RANGE'}]
    assert desc['ItemCount'] == 6
    fresh = Table('users', connection=conn)
    fresh.describe()
    assert [(f.name, f.data_type) for f in fresh.schema] == [('username', STRING), ('n', NUMBER)]
    assert fresh.throughput == {'read': 5, 'write': 5}
    assert [i.name for i in fresh.global_indexes] == ['by_city']
    assert users.count() == 6
    assert conn.list_tables() == {'TableNames': ['users']}


def test_put_get_save_and_delete(users):
    with pytest.raises(ConditionalCheckFailedException):
        users.put_item(data={'username': 'jane', 'n': 1})  # overwrite=False: must not exist
    assert users.put_item(data={'username': 'jane', 'n': 1, 'first': 'Jane'}, overwrite=True)
    item = users.get_item(username='jane', n=1, consistent=True)
    assert dict(item) == {'username': 'jane', 'n': Decimal('1'), 'first': 'Jane'}
    item['first'] = 'Janet'
    item['age'] = 40
    assert item.partial_save()
    assert dict(users.get_item(username='jane', n=1)) == {
        'username': 'jane', 'n': Decimal('1'), 'first': 'Janet', 'age': Decimal('40')}
    item['age'] = 41
    assert item.save()
    assert users.get_item(username='jane', n=1)['age'] == Decimal('41')
    assert users.has_item(username='jane', n=1)
    assert users.delete_item(username='jane', n=1)
    assert not users.has_item(username='jane', n=1)
    with pytest.raises(ItemNotFound):
        users.get_item(username='jane', n=1)
    got = users.get_item(username='jane', n=2, attributes=['tags'])
    assert got['tags'] == {'x', 'y'}


def numbers(results):
    return [int(i['n']) for i in results]


def test_query_2(users):
    assert numbers(users.query_2(username__eq='jane')) == [1, 2, 3, 4, 5]
    assert numbers(users.query_2(username__eq='jane', n__gt=3)) == [4, 5]
    assert numbers(users.query_2(username__eq='jane', n__between=(2, 4), reverse=True)) == [4, 3, 2]
    assert numbers(users.query_2(username__eq='jane', query_filter={'city__eq': 'Rome'})) == [2, 4]
    assert numbers(users.query_2(username__eq='jane', limit=3)) == [1, 2, 3]
    assert numbers(users.query_2(username__eq='jane', max_page_size=2)) == [1, 2, 3, 4, 5]
    only = list(users.query_2(username__eq='bob', attributes=['n', 'username']))
    assert [dict(i) for i in only] == [{'username': 'bob', 'n': Decimal('1')}]
    oslo = users.query_2(city__eq='Oslo', index='by_city')
    assert sorted((i['username'], int(i['n'])) for i in oslo) == [
        ('bob', 1), ('jane', 1), ('jane', 3), ('jane', 5)]
    assert users.query_count(username__eq='jane', n__lte=2) == 2


def test_scan(users):
    assert sorted(numbers(users.scan())) == [1, 1, 2, 3, 4, 5]
    assert sorted(numbers(users.scan(n__gte=4))) == [4, 5]
    assert sorted(i['username'] for i in users.scan(tags__null=True)) == ['bob']
    assert len(list(users.scan(max_page_size=2))) == 6
    assert len(list(users.scan(limit=4))) == 4


def test_batch_write_and_batch_get(users):
    with users.batch_write() as batch:
        for i in range(10, 40):  # more than 25: boto flushes in two requests
            batch.put_item(data={'username': 'many', 'n': i})
        batch.delete_item(username='jane', n=1)
    assert users.query_count(username__eq='many') == 30
    assert not users.has_item(username='jane', n=1)
    got = users.batch_get(keys=[{'username': 'many', 'n': 10}, {'username': 'jane', 'n': 2},
                                {'username': 'nobody', 'n': 1}])
    assert sorted((i['username'], int(i['n'])) for i in got) == [('jane', 2), ('many', 10)]


def test_update_and_delete_table(conn, users):
    assert users.update(throughput={'read': 9, 'write': 3})
    assert Table('users', connection=conn).describe()['Table']['ProvisionedThroughput'][
        'ReadCapacityUnits'] == 9
    assert users.delete()
    assert conn.list_tables() == {'TableNames': []}
