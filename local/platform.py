"""The whole InsureMall platform on one port: embedded AWS (moto), every function's routes as the
template maps them, the purchase state machine with its real tasks, the schedules, the storefront.

    python -m local.platform --port 8080
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
import webbrowser
from typing import Any
from urllib.parse import urlsplit

from local.embedded_aws import EmbeddedAws
from local.gateway import STAGE, Gateway
from local.scheduler import Scheduler
from local.streams import StreamPoller


class LocalPlatform:
    def __init__(
        self,
        port: int = 8080,
        host: str = "127.0.0.1",
        parameter_overrides: dict[str, str] | None = None,
        seed: bool = True,
        schedules: bool = True,
        streams: bool = True,
    ):
        self.host, self.requested_port = host, port
        self.aws = EmbeddedAws(parameter_overrides)
        self.seed_enabled, self.schedules_enabled, self.streams_enabled = seed, schedules, streams
        self.port = port
        self.gateway: Gateway | None = None
        self.scheduler: Scheduler | None = None
        # Delivers DynamoDB stream records to subscribed functions; `platform.streams.drain()` waits
        # until every record written so far is delivered.
        self.streams: StreamPoller | None = None
        self.seeded: dict[str, Any] = {}

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/{STAGE}"

    def start(self) -> LocalPlatform:
        self.aws.start()
        template = self.aws.template
        self.scheduler = Scheduler(template.schedules(), self.aws.runtime, template.arn)
        self.streams = StreamPoller(self.aws)
        self.gateway = Gateway(
            template.routes(),
            self.aws.runtime,
            controls={
                "schedules": self._schedules_control,
                "status": lambda _name, _params: self.status(),
                "lake": self._lake_control,
            },
            rest_api=template.rest_api(),
            buckets=[template.physical_name(name) for name in template.of_type("AWS::S3::Bucket")],
        )
        # The sandbox provider posts its webhook to this port, so bind before anything runs.
        self.port = self.gateway.start(self.host, self.requested_port)
        if "SandboxPaymentWebhookUrl" in template.resources:
            # The template's value is the deployed API's URL; here the webhook goes to this gateway.
            self.aws.put_parameter("SandboxPaymentWebhookUrl", f"{self.api_url}/payments/webhook")
        # Printed QR codes open this storefront; presigned document URLs are served by the gateway.
        os.environ["STOREFRONT_URL"] = self.url
        os.environ["DOCUMENTS_PUBLIC_BASE"] = f"{self.url}/local/s3"
        if self.seed_enabled:
            from local import demo

            self.seeded = demo.seed(self.aws)
        if self.schedules_enabled:
            self.scheduler.start()
        if self.streams_enabled:
            self.streams.start()
        return self

    def _schedules_control(self, name: str, params: dict[str, str]) -> Any:
        if not name:
            return {
                "schedules": [
                    {"name": s.name, "function": s.function, "expression": s.expression, "input": s.input}
                    for s in self.scheduler.schedules.values()
                ],
                "history": self.scheduler.history[-20:],
            }
        return self.scheduler.fire(name, params.get("date"))

    def _lake_control(self, _name: str, _params: dict[str, str]) -> dict[str, Any]:
        """The analysts' lake's files (`make query` mirrors them): the stream's pending records delivered
        first, so that a sale just made is in them."""
        if self.streams is not None and self.streams_enabled:
            with contextlib.suppress(TimeoutError):  # list what has landed; the rest comes next time
                self.streams.drain(timeout=20)
        bucket = self.aws.template.physical_name("LakeBucket")
        s3, objects = self.aws.client("s3"), []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="events/"):
            for o in page.get("Contents", []):
                # A signed link through the gateway's /local/s3/ (the embedded S3 refuses unsigned reads).
                link = urlsplit(
                    s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": o["Key"]})
                )
                path = link.path if link.path.startswith(f"/{bucket}/") else f"/{bucket}{link.path}"
                objects.append(
                    {
                        "key": o["Key"],
                        "size": o["Size"],
                        "etag": o["ETag"].strip('"'),
                        "url": f"/local/s3{path}?{link.query}",
                    }
                )
        return {"bucket": bucket, "objects": objects}

    def status(self) -> dict[str, Any]:
        return {
            "api_requests": self.gateway.api_requests,
            "invocations": dict(self.aws.runtime.invocations),
            "aws_calls": dict(self.aws.meter.calls),
            "seeded": self.seeded,
            "streams": self.streams.status() if self.streams else {},
        }

    def stop(self) -> None:
        if self.streams:
            self.streams.stop()
        if self.scheduler:
            self.scheduler.stop()
        if self.gateway:
            self.gateway.stop()
        self.aws.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the InsureMall platform locally")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8080)))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--no-browser", action="store_true", help="do not open the storefront in a browser tab"
    )
    parser.add_argument(
        "--no-schedules", action="store_true", help="do not fire the template's schedules on their own"
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    print("==> starting the embedded AWS (moto) and creating what infra/template.yaml declares", flush=True)
    platform = LocalPlatform(port=args.port, host=args.host, schedules=not args.no_schedules)
    try:
        platform.start()
    except KeyboardInterrupt:
        print("\n==> stopped while starting", flush=True)
        platform.stop()
        return 130
    except OSError as exc:
        print(
            f"error: cannot listen on {args.host}:{args.port} ({exc.strerror}); try PORT=8081 make run",
            file=sys.stderr,
        )
        return 1
    from local import demo

    t = platform.aws.template
    print(
        f"==> {len(t.functions())} functions, {len(t.routes())} routes, "
        f"{len(t.of_type('AWS::DynamoDB::Table'))} tables, {len(t.schedules())} schedules, "
        f"1 state machine, {len(platform.streams.mappings)} stream subscription(s); "
        f"demo data: {platform.seeded}"
    )
    print(
        f"""
InsureMall is running ({time.monotonic() - started:.1f}s to start)

  Storefront   {platform.url}/
  API          {platform.api_url}   (e.g. {platform.api_url}/products)
  Schedules    {platform.url}/local/schedules   (fire one: make fire SCHEDULE=DailySalesExport)
  Lake         make query SQL="<SQL on the events table>"   (DuckDB over the analysts' lake)

  Demo customer   {demo.DEMO_CUSTOMER["email"]} / {demo.DEMO_CUSTOMER["password"]}
  Demo operator   {demo.DEMO_OPERATOR["email"]} / {demo.DEMO_OPERATOR["password"]}

Data lives in memory and is gone when you stop. Press Ctrl-C to stop.
""",
        flush=True,
    )
    if not args.no_browser and os.environ.get("OPEN_BROWSER", "1") != "0":
        threading.Thread(target=webbrowser.open_new_tab, args=(platform.url + "/",), daemon=True).start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    print("\n==> stopping", flush=True)
    platform.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
