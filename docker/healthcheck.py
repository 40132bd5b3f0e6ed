"""The web container's health check: GET /health/ on the local gunicorn.

Exits 0 when /health/ answers 200, that is when the database, the broker and (once
LRS_ENDPOINT is set) the LRS are up; otherwise exits 1 and leaves the answer in the container's
health log (`docker inspect`). Django answers 400 to a Host header it does not allow, so the
request names the first host of DJANGO_ALLOWED_HOSTS. /health/ is exempt from the HTTPS
redirect, so plain HTTP inside the container is enough.
"""

import os
import sys
import urllib.error
import urllib.request

URL = "http://127.0.0.1:8000/health/"


def allowed_host() -> str:
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")  # ".example.org" allows example.org and subdomains
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    request = urllib.request.Request(URL, headers={"Host": allowed_host()})
    try:
        with urllib.request.urlopen(request, timeout=8) as response:
            sys.stdout.write(response.read(2000).decode("utf-8", "replace") + "\n")
            return 0
    except urllib.error.HTTPError as error:
        body = error.read(2000).decode("utf-8", "replace")
        sys.stdout.write(f"HTTP {error.code}: {body}\n")
    except OSError as error:
        sys.stdout.write(f"{URL}: {error}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
