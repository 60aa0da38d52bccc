"""boto 2 (Debian's python3-boto 2.49) connections to a Cairn test server.

boto 2 runs unchanged on Debian's Python 3.11 (Debian patches it); what these helpers add is only
how a test points it at a local server:
- a RegionInfo whose endpoint is 127.0.0.1 and the server's port, plain HTTP;
- the SigV4 credential scope's region and service. boto 2 derives them from the host name
  (<service>.<region>.amazonaws.com): for 127.0.0.1 it would sign with region "0" and service
  "127". Cairn keys a caller's tables by (access key, credential-scope region), as DynamoDB Local
  does, so the helpers set auth_region_name / auth_service_name to the region's name and
  "dynamodb", as a script would for any non-AWS endpoint; then boto 3 clients with the same key
  and region see the same tables;
- no retries (NumberRetries = 0): an error or a bad x-amz-crc32 surfaces at once instead of after
  boto's exponential back-off (boto 2 retries a CRC mismatch, so with no retries it raises).
"""

from boto.dynamodb.layer1 import Layer1
from boto.dynamodb.layer2 import Layer2
from boto.dynamodb2.layer1 import DynamoDBConnection
from boto.regioninfo import RegionInfo

from conftest import HOST, REGION, SECRET_KEY


def _point_at(conn, region):
    conn.auth_region_name = region
    conn.auth_service_name = "dynamodb"
    conn.NumberRetries = 0
    return conn


def layer1(server, access_key, region=REGION):
    """boto.dynamodb.layer1.Layer1 (API 2011-12-05) for the server."""
    info = RegionInfo(name=region, endpoint=HOST, connection_cls=Layer1)
    conn = Layer1(aws_access_key_id=access_key, aws_secret_access_key=SECRET_KEY, region=info,
                  is_secure=False, port=server.port)
    return _point_at(conn, region)


def layer2(server, access_key, region=REGION):
    """boto.dynamodb.layer2.Layer2 (API 2011-12-05, through a Layer1) for the server."""
    info = RegionInfo(name=region, endpoint=HOST, connection_cls=Layer1)
    l2 = Layer2(aws_access_key_id=access_key, aws_secret_access_key=SECRET_KEY, region=info,
                is_secure=False, port=server.port)
    _point_at(l2.layer1, region)
    return l2


def dynamodb2(server, access_key, region=REGION):
    """boto.dynamodb2.layer1.DynamoDBConnection (API 2012-08-10) for the server."""
    info = RegionInfo(name=region, endpoint=HOST, connection_cls=DynamoDBConnection)
    conn = DynamoDBConnection(aws_access_key_id=access_key, aws_secret_access_key=SECRET_KEY,
                              region=info, host=HOST, port=server.port, is_secure=False)
    return _point_at(conn, region)
