"""Tags: TagResource, UntagResource, ListTagsOfResource and CreateTable's Tags, at their limits.

DynamoDB behaviour checked (the Developer Guide's "Tagging restrictions", the API reference of the
three operations, and the service model's constraints):
- a key is 1..128 characters and a value 0..256, counted as the service's Java validation counts a
  string (String.length(): UTF-16 code units): a character of the Basic Multilingual Plane (é, 日)
  counts one however many UTF-8 bytes it takes, one outside it (U+1D400, an emoji) counts two.
  Over the limit is the model's "1 validation error detected" violation at tags.N.member.key/value;
- the characters: letters, numbers and white space representable in UTF-8 (Unicode categories L, N,
  Z) and _ . : / = + - @ (AWS's tag pattern ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$); anything else
  (an asterisk, a tab, an emoji) is a ValidationException, for keys and values alike, at CreateTable
  as at TagResource. NOT VERIFIED: the text of this message is Cairn's ("One or more parameter
  values were invalid: Tag key contains invalid characters: <key>"); DynamoDB's is not known here;
- at most 50 tags per table, those given at CreateTable included; retagging an existing key
  replaces its value and does not count again; over 50, nothing is applied. NOT VERIFIED: the
  message text ("... The number of tags exceeds the limit of 50") is Cairn's;
- a ResourceArn that is not a table's (an index's ARN, table/<t>/index/<i>, included) is
  "Invalid TableArn: Invalid ResourceArn provided as input <arn>" (dynalite's text, copied from
  DynamoDB); an empty Tags or TagKeys list is "Atleast one Tag needs to be provided as Input." /
  "Atleast one Tag Key needs to be provided as Input." (dynalite's, DynamoDB's spelling);
- ListTagsOfResource pages its answer: a NextToken when more tags remain, which the next call
  passes back; boto3's list_tags_of_resource paginator walks all pages. Cairn's pages hold 10 tags
  in key order (the page size is Cairn's choice; DynamoDB documents none). A NextToken no answer
  gave is a ValidationException ("Invalid NextToken: <token>", Cairn's text).
"""

import pytest

from conftest import REGION, create_table, validation

INVALID = "One or more parameter values were invalid: "


def arn(name):
    return f"arn:aws:dynamodb:{REGION}:000000000000:table/{name}"


def all_tags(client, name):
    pages = client.get_paginator("list_tags_of_resource").paginate(ResourceArn=arn(name))
    return sorted((t["Key"], t["Value"]) for page in pages for t in page["Tags"])


def refused(raw, operation, body, message, error="ValidationException"):
    resp = raw.request(operation, body)
    assert (resp.status, resp.error_type, resp.message) == (400, error, message), resp
    return resp


def tag(raw, name, tags):
    return raw.request("TagResource", {"ResourceArn": arn(name), "Tags": tags})


def length_violation(value, where, limit):
    return (f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy "
            f"constraint: Member must have length less than or equal to {limit}")


# --------------------------------------------------------------------------------------------------
# Lengths, counted in characters.


@pytest.mark.parametrize("key,value", [
    ("k" * 128, "v" * 256),
    ("é" * 128, "日" * 256),               # 2- and 3-byte UTF-8 characters count one each
    ("\U0001D400" * 64, "\U0001D400" * 128),  # MATHEMATICAL BOLD CAPITAL A counts two
    ("k", ""),                                # an empty value is a value
])
def test_longest_key_and_value_accepted(client, raw, key, value):
    create_table(client, "tbl")
    resp = tag(raw, "tbl", [{"Key": key, "Value": value}])
    assert resp.status == 200, resp
    assert all_tags(client, "tbl") == [(key, value)]


@pytest.mark.parametrize("key,value,where,shown,limit", [
    ("k" * 129, "v", "key", None, 128),
    ("é" * 129, "v", "key", None, 128),
    ("\U0001D400" * 65, "v", "key", None, 128),
    ("k", "v" * 257, "value", None, 256),
    ("k", "日" * 257, "value", None, 256),
    ("k", "\U0001D400" * 129, "value", None, 256),
])
def test_too_long_key_or_value_refused(client, raw, key, value, where, shown, limit):
    create_table(client, "tbl")
    text = key if where == "key" else value
    refused(raw, "TagResource", {"ResourceArn": arn("tbl"), "Tags": [{"Key": key, "Value": value}]},
            length_violation(text, f"tags.1.member.{where}", limit))
    body = {"TableName": "new", "AttributeDefinitions": [{"AttributeName": "pk",
                                                          "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST", "Tags": [{"Key": "ok", "Value": "1"},
                                                       {"Key": key, "Value": value}]}
    refused(raw, "CreateTable", body, length_violation(text, f"tags.2.member.{where}", limit))
    assert all_tags(client, "tbl") == []
    assert client.list_tables()["TableNames"] == ["tbl"]


def test_empty_key_refused(client, raw):
    create_table(client, "tbl")
    refused(raw, "TagResource", {"ResourceArn": arn("tbl"), "Tags": [{"Key": "", "Value": "v"}]},
            "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1")


# --------------------------------------------------------------------------------------------------
# Characters.


@pytest.mark.parametrize("key,value", [
    ("letters digits 09 _.:/=+-@", "AZaz09 _.:/=+-@"),
    ("日本語", "Ελληνικά ١٢٣"),          # letters and numbers of other scripts
    ("\u00a0nbsp", "ideographic\u3000space"),  # white space outside ASCII (category Zs)
])
def test_allowed_characters(client, raw, key, value):
    create_table(client, "tbl")
    assert tag(raw, "tbl", [{"Key": key, "Value": value}]).status == 200
    assert all_tags(client, "tbl") == [(key, value)]


@pytest.mark.parametrize("text", ["a*b", "semi;colon", "tab\there", "new\nline", "quote'",
                                  "smile\U0001F600", "#hash", "comma,", "pct%"])
def test_invalid_characters_refused(client, raw, text):
    create_table(client, "tbl")
    refused(raw, "TagResource", {"ResourceArn": arn("tbl"), "Tags": [{"Key": text, "Value": "v"}]},
            INVALID + "Tag key contains invalid characters: " + text)
    refused(raw, "TagResource", {"ResourceArn": arn("tbl"), "Tags": [{"Key": "k", "Value": text}]},
            INVALID + "Tag value contains invalid characters: " + text)
    # A bad tag beside good ones: nothing is applied.
    refused(raw, "TagResource", {"ResourceArn": arn("tbl"),
                                 "Tags": [{"Key": "good", "Value": "v"}, {"Key": text, "Value": "v"}]},
            INVALID + "Tag key contains invalid characters: " + text)
    assert all_tags(client, "tbl") == []
    # The same rule at CreateTable.
    validation(client.create_table, INVALID + "Tag value contains invalid characters: " + text,
               TableName="new", BillingMode="PAY_PER_REQUEST",
               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
               Tags=[{"Key": "k", "Value": text}])
    assert client.list_tables()["TableNames"] == ["tbl"]


# --------------------------------------------------------------------------------------------------
# At most 50 tags a table.


def tags(prefix, n, value="v"):
    return [{"Key": f"{prefix}{i:02}", "Value": value} for i in range(n)]


def test_fifty_tags_at_create_table_and_no_more(client):
    create_table(client, "full", BillingMode="PAY_PER_REQUEST", Tags=tags("k", 50))
    assert all_tags(client, "full") == [(f"k{i:02}", "v") for i in range(50)]
    # Retagging existing keys is no new tag.
    client.tag_resource(ResourceArn=arn("full"), Tags=tags("k", 50, "w"))
    assert all_tags(client, "full") == [(f"k{i:02}", "w") for i in range(50)]
    validation(client.tag_resource, INVALID + "The number of tags exceeds the limit of 50",
               ResourceArn=arn("full"), Tags=[{"Key": "k00", "Value": "x"},
                                              {"Key": "one-more", "Value": "x"}])
    assert all_tags(client, "full") == [(f"k{i:02}", "w") for i in range(50)]
    # After an untag, there is room again.
    client.untag_resource(ResourceArn=arn("full"), TagKeys=["k49"])
    client.tag_resource(ResourceArn=arn("full"), Tags=[{"Key": "one-more", "Value": "x"}])
    assert len(all_tags(client, "full")) == 50


def test_create_table_with_fifty_one_tags_refused(client):
    validation(client.create_table, INVALID + "The number of tags exceeds the limit of 50",
               TableName="over", BillingMode="PAY_PER_REQUEST",
               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
               Tags=tags("k", 51))
    assert client.list_tables()["TableNames"] == []


def test_create_table_tags_count_toward_the_limit(client):
    create_table(client, "some", BillingMode="PAY_PER_REQUEST", Tags=tags("c", 30))
    validation(client.tag_resource, INVALID + "The number of tags exceeds the limit of 50",
               ResourceArn=arn("some"), Tags=tags("t", 21))
    client.tag_resource(ResourceArn=arn("some"), Tags=tags("t", 20))
    assert len(all_tags(client, "some")) == 50


def test_a_key_given_twice_at_create_table_is_one_tag(client):
    create_table(client, "twice", BillingMode="PAY_PER_REQUEST",
                 Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}])
    assert all_tags(client, "twice") == [("a", "2")]


# --------------------------------------------------------------------------------------------------
# Which ARNs, and empty lists.


@pytest.mark.parametrize("operation,body", [
    ("TagResource", {"Tags": [{"Key": "k", "Value": "v"}]}),
    ("UntagResource", {"TagKeys": ["k"]}),
    ("ListTagsOfResource", {}),
])
def test_index_arn_refused(client, raw, operation, body):
    create_table(client, "tbl", BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=[{
        "IndexName": "by_g", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    index_arn = client.describe_table(TableName="tbl")["Table"]["GlobalSecondaryIndexes"][0][
        "IndexArn"]
    assert index_arn == arn("tbl") + "/index/by_g"
    refused(raw, operation, {"ResourceArn": index_arn, **body},
            "Invalid TableArn: Invalid ResourceArn provided as input " + index_arn)
    # Nor does it tag the table.
    assert all_tags(client, "tbl") == []


@pytest.mark.parametrize("operation,body", [
    ("TagResource", {"Tags": [{"Key": "k", "Value": "v"}]}),
    ("UntagResource", {"TagKeys": ["k"]}),
    ("ListTagsOfResource", {}),
])
def test_missing_table(raw, operation, body):
    refused(raw, operation, {"ResourceArn": arn("absent"), **body},
            f"Requested resource not found: ResourcArn: {arn('absent')} not found",
            "ResourceNotFoundException")


def test_empty_lists_refused(client, raw):
    create_table(client, "tbl")
    refused(raw, "TagResource", {"ResourceArn": arn("tbl"), "Tags": []},
            "Atleast one Tag needs to be provided as Input.")
    refused(raw, "UntagResource", {"ResourceArn": arn("tbl"), "TagKeys": []},
            "Atleast one Tag Key needs to be provided as Input.")


# --------------------------------------------------------------------------------------------------
# ListTagsOfResource pages.


def test_list_tags_pages_with_next_token(client):
    create_table(client, "paged", BillingMode="PAY_PER_REQUEST", Tags=tags("k", 25))
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"NextToken": token} if token else {}
        resp = client.list_tags_of_resource(ResourceArn=arn("paged"), **kwargs)
        pages += 1
        assert 0 < len(resp["Tags"]) <= 10
        seen += [(t["Key"], t["Value"]) for t in resp["Tags"]]
        token = resp.get("NextToken")
        if token is None:
            break
    assert pages == 3
    assert seen == [(f"k{i:02}", "v") for i in range(25)]  # each once, in key order


def test_list_tags_exactly_one_page(client):
    create_table(client, "ten", BillingMode="PAY_PER_REQUEST", Tags=tags("k", 10))
    resp = client.list_tags_of_resource(ResourceArn=arn("ten"))
    assert len(resp["Tags"]) == 10
    assert "NextToken" not in resp


def test_list_tags_next_token_survives_changes(client):
    create_table(client, "moving", BillingMode="PAY_PER_REQUEST", Tags=tags("k", 15))
    first = client.list_tags_of_resource(ResourceArn=arn("moving"))
    # The tags on the first page go away: the next page still starts after them.
    client.untag_resource(ResourceArn=arn("moving"), TagKeys=[f"k{i:02}" for i in range(10)])
    rest = client.list_tags_of_resource(ResourceArn=arn("moving"), NextToken=first["NextToken"])
    assert [t["Key"] for t in rest["Tags"]] == [f"k{i:02}" for i in range(10, 15)]
    assert "NextToken" not in rest


@pytest.mark.parametrize("token", ["garbage!", "bm90LWEtdG9rZW4="])
def test_list_tags_invalid_next_token(client, raw, token):
    create_table(client, "tbl")
    refused(raw, "ListTagsOfResource", {"ResourceArn": arn("tbl"), "NextToken": token},
            "Invalid NextToken: " + token)
