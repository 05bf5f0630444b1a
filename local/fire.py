"""Fire one of the template's schedules now, on a running local platform:

python -m local.fire DailySalesExport                (make fire SCHEDULE=DailySalesExport)
python -m local.fire DailyRenewalOffers 2026-12-01   (make fire SCHEDULE=DailyRenewalOffers DATE=2026-12-01)
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request


def main(argv: list[str]) -> int:
    base = f"http://127.0.0.1:{os.environ.get('PORT', '8080')}/local/schedules"
    name = argv[0] if argv else ""
    url = f"{base}/{name}" if name else base
    if len(argv) > 1:
        url += f"?date={argv[1]}"  # run a day-based job for that day
    request = urllib.request.Request(url, method="POST" if name else "GET")  # noqa: S310 - fixed local URL
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - fixed local URL
            print(json.dumps(json.load(response), indent=2))
    except urllib.error.HTTPError as exc:
        print(json.load(exc).get("error", {}).get("message", exc), file=sys.stderr)
        return 1
    except urllib.error.URLError:
        print(f"no local platform on {base}; start it with `make run`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
