"""Seed 001: the Books tutorial (shared/seeds/001_*.txt), step by step with the boto3 resource API.

DynamoDB behaviour checked, in the tutorial's order (the tests of this file run in sequence on one
namespace, as the tutorial's scripts run one after another on one database):
- CreateTable Books (book_id N HASH, title S RANGE, 10/10 throughput); table_status; the
  table_exists waiter returns on its first poll.
- Items loaded from the tutorial's JSON (json.load with parse_float=Decimal); PutItem answers an
  empty JSON object: HTTP 200, content-length '2', x-amz-crc32 '2745614147' (crc32 of "{}"), as the
  tutorial prints.
- GetItem returns the item with numbers as Decimal, exactly as printed in the tutorial.
- UpdateItem "set ISBN=:ISBN" with ReturnValues UPDATED_NEW returns only {'ISBN': ...}; the body is
  the tutorial's 45 bytes with x-amz-crc32 '2958762950'.
- DeleteItem with a false ConditionExpression fails with ConditionalCheckFailedException and keeps
  the item; with the tutorial's true condition it deletes it.
- Query Key('book_id').eq(...) returns the partition's items.
- Table.delete(); the table_not_exists waiter returns on its first poll.
"""

import json
import time
from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from conftest import unique_access_key

# The tutorial's steps build on one another: one pytest-xdist worker runs them all, in order
# (cairn.sh runs pytest with --dist loadgroup).
pytestmark = pytest.mark.xdist_group("seed_001_books")

DATA_JSON = """[
    {
        "book_id": 1000,
        "title": "Atomic habits",
        "author": "James Clear",
        "isbn": "34526767",
        "year_of_publication": "2019"
    },
    {
        "book_id": 1001,
        "title": "Americanah",
        "author": "Chimamanda Adichie",
        "isbn": "10202223",
        "year_of_publication": "2013"
    },
    {
        "book_id": 1002,
        "title": "Teller of secrets",
        "author": "Bisi Adjapon",
        "isbn": "10201120",
        "year_of_publication": "2013"
    },
    {
        "book_id": 1003,
        "title": "Joys of motherhood",
        "author": "Buchi Emecheta",
        "isbn": "10110120",
        "year_of_publication": "1979" 
    },
    
    {
        "book_id": 1004,
        "title": "Purple Hibiscus",
        "author": "Chimamanda Adichie",
        "isbn": "10001241",
        "year_of_publication": "2012" 
    }
]
"""

ATOMIC_HABITS = {'year_of_publication': '2019', 'isbn': '34526767', 'book_id': Decimal('1000'),
                 'author': 'James Clear', 'title': 'Atomic habits'}


@pytest.fixture(scope="module")
def dynamodb(server):
    """One namespace for the whole tutorial."""
    return server.resource(unique_access_key())


def test_create_books_table(dynamodb):
    table = dynamodb.create_table(
        TableName='Books',
        KeySchema=[
            {'AttributeName': 'book_id', 'KeyType': 'HASH'},  # Partition key
            {'AttributeName': 'title', 'KeyType': 'RANGE'},  # Sort key
        ],
        AttributeDefinitions=[
            {'AttributeName': 'book_id', 'AttributeType': 'N'},
            {'AttributeName': 'title', 'AttributeType': 'S'},
        ],
        ProvisionedThroughput={'ReadCapacityUnits': 10, 'WriteCapacityUnits': 10},
    )
    # DynamoDB answers CREATING and turns ACTIVE later; DynamoDB Local (and Cairn) create at once.
    assert table.table_status in ('CREATING', 'ACTIVE')
    started = time.monotonic()
    table.wait_until_exists()  # polls every 20 s: must succeed on the first DescribeTable
    assert time.monotonic() - started < 2
    table.reload()
    assert table.table_status == 'ACTIVE'
    assert table.key_schema == [{'AttributeName': 'book_id', 'KeyType': 'HASH'},
                                {'AttributeName': 'title', 'KeyType': 'RANGE'}]
    assert table.provisioned_throughput['ReadCapacityUnits'] == 10
    assert table.provisioned_throughput['WriteCapacityUnits'] == 10


def test_load_data(dynamodb, tmp_path):
    path = tmp_path / "data.json"
    path.write_text(DATA_JSON)
    with open(path) as json_file:
        book_list = json.load(json_file, parse_float=Decimal)

    books_table = dynamodb.Table('Books')
    displayed = []
    for book in book_list:
        book_id = (book['book_id'])
        title = book['title']
        displayed.append(f"Displaying book data: {book_id} {title}")
        response = books_table.put_item(Item=book)
        assert response['ResponseMetadata']['HTTPStatusCode'] == 200
    assert displayed == [
        "Displaying book data: 1000 Atomic habits",
        "Displaying book data: 1001 Americanah",
        "Displaying book data: 1002 Teller of secrets",
        "Displaying book data: 1003 Joys of motherhood",
        "Displaying book data: 1004 Purple Hibiscus",
    ]
    assert books_table.scan()['Count'] == 5


def test_add_book(dynamodb):
    books_table = dynamodb.Table('Books')
    response = books_table.put_item(
        Item={
            "book_id": 1005,
            "title": "There Was a Country",
            "author": "Chinua Achebe",
            "isbn": "0143124030",
            "year_of_publication": "2012"
        }
    )
    assert set(response) == {'ResponseMetadata'}
    meta = response['ResponseMetadata']
    assert meta['HTTPStatusCode'] == 200
    assert meta['RetryAttempts'] == 0
    headers = meta['HTTPHeaders']
    assert headers['content-type'] == 'application/x-amz-json-1.0'
    assert headers['content-length'] == '2'
    assert headers['x-amz-crc32'] == '2745614147'
    assert meta['RequestId'] == headers['x-amzn-requestid']
    assert meta['RequestId'] != ''
    item = books_table.get_item(Key={'book_id': 1005, 'title': 'There Was a Country'})['Item']
    assert item == {'book_id': Decimal('1005'), 'title': 'There Was a Country',
                    'author': 'Chinua Achebe', 'isbn': '0143124030',
                    'year_of_publication': '2012'}


def test_get_book(dynamodb):
    books_table = dynamodb.Table('Books')
    response = books_table.get_item(Key={'book_id': 1000, 'title': 'Atomic habits'})
    book = response['Item']
    assert book == ATOMIC_HABITS
    assert isinstance(book['book_id'], Decimal)


def test_update_book(dynamodb):
    books_table = dynamodb.Table('Books')
    response = books_table.update_item(
        Key={
            'book_id': 1001,
            'title': "Americanah"
        },
        UpdateExpression="set ISBN=:ISBN",
        ExpressionAttributeValues={':ISBN': "9780307455925"},
        ReturnValues="UPDATED_NEW"
    )
    assert response['Attributes'] == {'ISBN': '9780307455925'}
    headers = response['ResponseMetadata']['HTTPHeaders']
    assert headers['content-length'] == '45'
    assert headers['x-amz-crc32'] == '2958762950'
    # A new attribute: attribute names are case-sensitive, so the old 'isbn' stays.
    item = books_table.get_item(Key={'book_id': 1001, 'title': 'Americanah'})['Item']
    assert item['ISBN'] == '9780307455925'
    assert item['isbn'] == '10202223'


def test_delete_book_with_false_condition_fails(dynamodb):
    books_table = dynamodb.Table('Books')
    with pytest.raises(ClientError) as e:
        books_table.delete_item(
            Key={'book_id': 1001, 'title': "Americanah"},
            ConditionExpression="ISBN=:ISBN",
            ExpressionAttributeValues={':ISBN': "0000000000000"},
        )
    assert e.value.response['Error']['Code'] == 'ConditionalCheckFailedException'
    assert e.value.response['Error']['Message'] == 'The conditional request failed'
    assert e.value.response['ResponseMetadata']['HTTPStatusCode'] == 400
    item = books_table.get_item(Key={'book_id': 1001, 'title': 'Americanah'})['Item']
    assert item['ISBN'] == '9780307455925'


def test_delete_book(dynamodb):
    books_table = dynamodb.Table('Books')
    response = books_table.delete_item(
        Key={
            'book_id': 1001,
            'title': "Americanah"
        },
        ConditionExpression="ISBN=:ISBN",
        ExpressionAttributeValues={':ISBN': "9780307455925"},
    )
    assert set(response) == {'ResponseMetadata'}
    headers = response['ResponseMetadata']['HTTPHeaders']
    assert response['ResponseMetadata']['HTTPStatusCode'] == 200
    assert headers['content-length'] == '2'
    assert headers['x-amz-crc32'] == '2745614147'
    assert 'Item' not in books_table.get_item(Key={'book_id': 1001, 'title': 'Americanah'})


def test_query_table(dynamodb):
    books_table = dynamodb.Table('Books')
    response = books_table.query(KeyConditionExpression=Key('book_id').eq(1001))
    assert response['Items'] == []  # deleted by the previous step
    assert response['Count'] == 0
    assert response['ScannedCount'] == 0

    response = books_table.query(KeyConditionExpression=Key('book_id').eq(1000))
    assert response['Items'] == [ATOMIC_HABITS]
    assert response['Count'] == 1
    assert 'LastEvaluatedKey' not in response
    printed = [f"{b['book_id']} : {b['title']}" for b in response['Items']]
    assert printed == ["1000 : Atomic habits"]


def test_delete_table(dynamodb):
    books_table = dynamodb.Table('Books')
    books_table.delete()
    started = time.monotonic()
    books_table.wait_until_not_exists()  # polls every 20 s: must succeed on the first poll
    assert time.monotonic() - started < 2
    assert [t.name for t in dynamodb.tables.all()] == []
    with pytest.raises(ClientError) as e:
        books_table.load()
    assert e.value.response['Error']['Code'] == 'ResourceNotFoundException'
