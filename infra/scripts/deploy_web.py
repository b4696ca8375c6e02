#!/usr/bin/env python3
"""Uploads the web app's build to its stack and points it at the stack's API.

Usage: deploy_web.py --stack <CloudFormation stack> [--dist web/dist] [--region <region>]

Reads the stack outputs (WebBucketName, WebDistributionId, WebUrl and, once the stack has one,
WebSocketUrl), uploads every file of the build to the private bucket with its content type and cache
policy (hashed assets for a year, immutable; index.html and config.json revalidated on every load),
writes /config.json (the runtime config: the API is this origin's /api, the WebSocket URL comes from the
stack), removes pages a previous build left (keeping its hashed assets), and invalidates the distribution. Credentials come from the
usual AWS environment (profile, variables, SSO).
"""

import argparse
import json
import mimetypes
import pathlib
import sys
import time

import boto3

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def outputs(cloudformation, stack):
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}


def content_type(path):
    guessed, _ = mimetypes.guess_type(path.name)
    if path.suffix in (".js", ".mjs"):
        return "text/javascript; charset=utf-8"
    if guessed and guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--dist", default="web/dist")
    parser.add_argument("--region")
    args = parser.parse_args()

    dist = pathlib.Path(args.dist)
    if not (dist / "index.html").is_file():
        sys.exit(f"{dist}/index.html is missing: build the app first (make web)")
    session = boto3.session.Session(region_name=args.region)
    found = outputs(session.client("cloudformation"), args.stack)
    missing = [key for key in ("WebBucketName", "WebDistributionId", "WebUrl") if key not in found]
    if missing:
        sys.exit(f"stack {args.stack} has no output {', '.join(missing)}: deploy template.yaml first (sam deploy)")
    bucket, distribution = found["WebBucketName"], found["WebDistributionId"]
    s3 = session.client("s3")

    uploaded = set()
    # Assets first, index.html last: a visitor never gets an index.html naming files not there yet.
    # Hidden build metadata (.vite/) is not part of the site.
    files = sorted(
        (p for p in dist.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(dist).parts)),
        key=lambda p: p.name == "index.html",
    )
    for path in files:
        key = path.relative_to(dist).as_posix()
        cache = IMMUTABLE if key.startswith("assets/") else REVALIDATE
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type(path), "CacheControl": cache})
        uploaded.add(key)
        print(f"  uploaded {key}")

    config = {"api_url": ""}
    if found.get("WebSocketUrl"):
        config["ws_url"] = found["WebSocketUrl"]
    if found.get("EventBusName"):
        config["event_bus"] = found["EventBusName"]
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=json.dumps(config).encode(),
        ContentType="application/json",
        CacheControl=REVALIDATE,
    )
    uploaded.add("config.json")
    print(f"  wrote config.json {json.dumps(config)}")

    # Earlier hashed assets stay: tabs opened before this deploy still load their route chunks.
    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        stale += [
            item["Key"]
            for item in page.get("Contents", [])
            if item["Key"] not in uploaded and not item["Key"].startswith("assets/")
        ]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in stale[start : start + 1000]]})
    if stale:
        print(f"  removed {len(stale)} files of earlier builds")

    session.client("cloudfront").create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())},
    )
    print(f"deployed the web app to {found['WebUrl']}")


if __name__ == "__main__":
    main()
