"""Photos in S3: list the objects below a prefix, download one object's bytes.

Connection settings come from the standard AWS environment and config files that boto3 reads
itself: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3)
for S3-compatible stores, AWS_DEFAULT_REGION, AWS_PROFILE. Failures raise :class:`S3Error`
with a message that names the prefix or the object, not a boto traceback.
"""

from __future__ import annotations

# Downloads run in up to this many threads at once; boto3's default pool holds 10 connections.
MAX_CONNECTIONS = 32


class S3Error(ValueError):
    """An S3 prefix or object cannot be read; the message names it."""


def is_s3_url(location) -> bool:
    return str(location).startswith("s3://")


def split_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix) of ``s3://bucket/some/prefix``; the prefix ends in "/" unless empty,
    so that ``s3://b/photos`` does not also match ``s3://b/photos-old/``."""
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not bucket:
        raise S3Error(f"{url}: no bucket name (expected s3://bucket/prefix)")
    prefix = prefix.strip("/")
    return bucket, prefix + "/" if prefix else ""


def client():
    """A boto3 S3 client configured from the environment as it is now (a new session: boto3's
    default one keeps the credentials it found first); safe to share between threads."""
    import boto3
    import botocore.session
    from botocore.config import Config

    core = botocore.session.get_session()
    # Timestamps (each listed object's LastModified) stay text, as with the AWS CLI's
    # --cli-timestamp-format none: parsing them with dateutil took about 60% of a listing.
    core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=str)
    session = boto3.session.Session(botocore_session=core)
    return session.client("s3", config=Config(max_pool_connections=MAX_CONNECTIONS))


def _reason(url: str, problem: Exception) -> str:
    """A one-line explanation of a boto3 failure on ``url``."""
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    if isinstance(problem, NoCredentialsError):
        return f"{url}: no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
    if isinstance(problem, EndpointConnectionError):
        return f"{url}: cannot reach the S3 endpoint ({problem}); check AWS_ENDPOINT_URL"
    if isinstance(problem, ClientError):
        error = problem.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = problem.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code == "NoSuchBucket":
            return f"{url}: the bucket {url[5:].split('/')[0]} does not exist"
        if code == "NoSuchKey" or status == 404:
            return f"{url}: object not found"
        if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch") or status == 403:
            return (
                f"{url}: access denied ({code or status}); "
                "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        return f"{url}: S3 error {code or status}: {error.get('Message', '')}".rstrip(": ")
    return f"{url}: {type(problem).__name__}: {problem}"


def list_objects(url: str, s3=None) -> list[tuple[str, int, str]]:
    """(key relative to the prefix, size, ETag) of every object below ``url``, in S3's order.

    One paginated ListObjectsV2 listing (1,000 keys a request), no request per object.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = split_url(url)
    s3 = s3 or client()
    found = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", ()):
                found.append(
                    (item["Key"][len(prefix) :], int(item["Size"]), item["ETag"].strip('"'))
                )
    except (BotoCoreError, ClientError) as problem:
        raise S3Error(_reason(url, problem)) from None
    return found


def fetch(url: str, s3) -> bytes:
    """The bytes of the object ``s3://bucket/key``."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, key = url[len("s3://") :].partition("/")
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except (BotoCoreError, ClientError) as problem:
        raise S3Error(_reason(url, problem)) from None
