"""SQL over the analysts' lake on your machine, with DuckDB: the files the running local platform wrote.

    make query SQL="select province, sum(premium_cents) / 100 as premium from events
                    where type = 'PolicyIssued' and dt between '2026-12-01' and '2026-12-31'
                    group by province order by premium desc"

The platform keeps its S3 in memory (moto, in its own process), so this first mirrors the lake into a
folder (LAKE_DIR, default .local-data/lake): it asks the platform on PORT (default 8080) for the lake's
objects (`GET /local/lake`, which first delivers what the events stream still holds), downloads the new
and changed ones through the platform's `/local/s3/` and deletes those the platform no longer has. Then
DuckDB runs the SQL over the folder. Without a running platform it queries the last mirror, and says so.

`events` is the same table as Athena's (database insuremall_<stage>): the Glue table's columns, read from
infra/template.yaml, plus the partitions `type` and `dt` (strings, as in Athena), so one query runs in
both. DuckDB is a dev dependency (requirements/dev.txt), never in a function's package.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".local-data" / "lake"
MANIFEST = ".manifest.json"
EXAMPLE = (
    "select province, sum(premium_cents) / 100 as premium_cny, count(*) as policies from events "
    "where type = 'PolicyIssued' and dt between '2026-12-01' and '2026-12-31' "
    "group by province order by premium_cny desc"
)
_DUCK_TYPES = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "double": "DOUBLE",
    "int": "INTEGER",
}


class PlatformUnreachable(RuntimeError):
    pass


def glue_columns() -> list[tuple[str, str]]:
    """The Glue table's columns (infra/template.yaml: LakeEventsTable), as DuckDB types."""
    from local.template import load_raw

    table = load_raw()["Resources"]["LakeEventsTable"]["Properties"]["TableInput"]
    return [(c["Name"], duck_type(c["Type"])) for c in table["StorageDescriptor"]["Columns"]]


def duck_type(hive: str) -> str:
    hive = hive.strip()
    if hive.startswith("array<") and hive.endswith(">"):
        return duck_type(hive[6:-1]) + "[]"
    if hive.startswith("struct<") and hive.endswith(">"):
        fields = [f.split(":", 1) for f in _split(hive[7:-1])]
        return "STRUCT(" + ", ".join(f'"{n}" {duck_type(t)}' for n, t in fields) + ")"
    return _DUCK_TYPES[hive]


def _split(fields: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in fields:
        depth += char == "<"
        depth -= char == ">"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if current else parts


def define_views(connection: Any, root: Path) -> int:
    """CREATE VIEW events over the lake files under `root` (events/type=*/dt=*/*.jsonl.gz); the number
    of files. An empty lake is an empty view with the same columns."""
    files = sorted(root.glob("events/type=*/dt=*/*.jsonl.gz"))
    columns = glue_columns()
    if not files:
        body = ", ".join(f'null::{t} as "{n}"' for n, t in columns)
        empty = f"select {body}, null::varchar as type, null::varchar as dt limit 0"  # noqa: S608 - no input
        connection.execute(f"create or replace view events as {empty}")
        return 0
    spec = "{" + ", ".join(f"'{n}': '{t}'" for n, t in columns) + "}"
    pattern = str(root / "events" / "type=*" / "dt=*" / "*.jsonl.gz").replace("'", "''")
    source = (
        f"read_json('{pattern}', format = 'newline_delimited', columns = {spec}, "
        "hive_partitioning = true, hive_types_autocast = false)"
    )
    connection.execute(f"create or replace view events as select * from {source}")  # noqa: S608 - no input
    return len(files)


def sync(base_url: str, root: Path) -> dict[str, int]:
    """Mirror the platform's lake into `root`: new and changed files fetched, vanished ones deleted."""
    try:
        with urllib.request.urlopen(f"{base_url}/local/lake", timeout=60) as response:  # noqa: S310 - local
            listing = json.load(response)
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        raise PlatformUnreachable(f"no local platform at {base_url} ({exc})") from None
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST
    known = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    wanted = {o["key"]: o["etag"] for o in listing["objects"]}
    fetched = 0
    for listed in listing["objects"]:
        key, target = listed["key"], root / listed["key"]
        if known.get(key) == listed["etag"] and target.exists():
            continue
        with urllib.request.urlopen(base_url + listed["url"], timeout=60) as response:  # noqa: S310 - local
            data = response.read()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        fetched += 1
    removed = 0
    for stale in set(known) - set(wanted):
        (root / stale).unlink(missing_ok=True)
        removed += 1
    for folder in sorted(root.glob("events/*/*"), reverse=True):  # empty day and type folders
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    manifest_path.write_text(json.dumps(wanted, indent=0, sort_keys=True))
    return {"files": len(wanted), "fetched": fetched, "removed": removed}


def main(argv: list[str]) -> int:
    sql = " ".join(argv).strip()
    if not sql:
        print(
            "usage: make query SQL=\"select ... from events where type = 'PolicyIssued' ...\"",
            file=sys.stderr,
        )
        print(f'example:\n  make query SQL="{EXAMPLE}"', file=sys.stderr)
        return 2
    try:
        import duckdb
    except ImportError:
        print(
            "error: DuckDB is missing: it is a dev dependency (requirements/dev.txt); run `make venv`",
            file=sys.stderr,
        )
        return 1
    root = Path(os.environ.get("LAKE_DIR") or DEFAULT_DIR)
    base_url = f"http://127.0.0.1:{os.environ.get('PORT', '8080')}"
    try:
        synced = sync(base_url, root)
        print(f"==> lake mirrored from {base_url}: {synced['files']} files ({synced['fetched']} fetched, "
              f"{synced['removed']} removed) in {root}", file=sys.stderr)  # fmt: skip
    except PlatformUnreachable as exc:
        if not (root / MANIFEST).exists():
            print(f"error: {exc}; start it with `make run` (the lake lives in its memory)", file=sys.stderr)
            return 1
        print(f"==> {exc}: querying the last mirror in {root}", file=sys.stderr)
    connection = duckdb.connect()
    define_views(connection, root)
    try:
        relation = connection.sql(sql)
    except duckdb.Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if relation is not None:
        relation.show(max_rows=1000, max_width=sys.maxsize if not sys.stdout.isatty() else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
