"""Presigned download links for objects in the platform's buckets (policy documents, report exports).

Locally (DOCUMENTS_PUBLIC_BASE, set only by the local platform) the S3 host is swapped for the local
gateway's route that serves the embedded S3, so the same link works in a browser on the laptop."""

from __future__ import annotations

import os
from urllib.parse import urlsplit


def presigned_get(
    bucket: str,
    key: str,
    *,
    filename: str,
    content_type: str,
    seconds: int = 300,
    version_id: str | None = None,
) -> str:
    from insuremall import aws

    params = {
        "Bucket": bucket,
        "Key": key,
        "ResponseContentType": content_type,
        "ResponseContentDisposition": f'attachment; filename="{filename}"'
        if content_type != "application/pdf"
        else f'inline; filename="{filename}"',
    }
    if version_id and version_id != "null":
        params["VersionId"] = version_id
    url = aws.client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
    public_base = os.environ.get("DOCUMENTS_PUBLIC_BASE")
    if not public_base:
        return url
    parts = urlsplit(url)
    virtual_host = parts.netloc.startswith(f"{bucket}.")
    path = f"/{bucket}{parts.path}" if virtual_host else parts.path
    return f"{public_base.rstrip('/')}{path}?{parts.query}"
