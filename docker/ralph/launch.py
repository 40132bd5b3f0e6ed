"""Start Ralph's xAPI LRS (``ralph.api:app``) for docker compose.

Ralph's ``fs`` backend is enough for one platform, with three adjustments made here before the
app is imported, instead of in a fork of Ralph:

* Append mode. The file-system backend writes with ``CREATE`` by default, which refuses to
  write to a file that exists, so every statement after the first would fail with a 500. The
  LRS keeps all statements in one JSON-lines file, so writes must append.
* No read/write history. The backend records every read and write in one JSON file that it
  rewrites whole each time (a convenience for ``ralph list --new``); the LRS never reads it,
  and it grows with every request.
* An xAPI About resource (``GET /xAPI/about``), which the xAPI specification requires and
  Ralph 5.1 does not serve. The platform's /health/ checks the LRS through it.

With LRS_USERNAME and LRS_PASSWORD in the environment, the launcher also puts that user (the
platform's own account) into the auth file, RALPH_AUTH_FILE, so that `docker compose up`
works from .env alone; other users added with `ralph auth` are kept.
"""

import json
import logging
import logging.config
import os
from pathlib import Path

import bcrypt
import uvicorn

logger = logging.getLogger("ralph.launch")

XAPI_VERSION = "1.0.3"
# The scopes of the platform's account; Ralph enforces them only with
# RALPH_LRS_RESTRICT_BY_SCOPES=true.
PLATFORM_SCOPES = ["statements/write", "statements/read/mine", "state/write", "state/read"]


def prepare_directories() -> None:
    """Create the statements directory: Ralph's heartbeat reports an error until it exists."""
    statements = os.environ.get("RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH")
    if statements:
        Path(statements).mkdir(parents=True, exist_ok=True)


def ensure_platform_user(auth_file: Path) -> None:
    """Add or update the platform's LRS account in the auth file from the environment."""
    username = os.environ.get("LRS_USERNAME", "")
    password = os.environ.get("LRS_PASSWORD", "")
    if not (username and password):
        logger.info("LRS_USERNAME/LRS_PASSWORD not set: the auth file is left as it is.")
        return
    agent_mbox = os.environ.get("RALPH_PLATFORM_AGENT_MBOX", "mailto:lms@example.org")
    users = json.loads(auth_file.read_text(encoding="utf-8")) if auth_file.exists() else []
    users = [user for user in users if user.get("username") != username]
    users.append(
        {
            "username": username,
            "hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode("ascii"),
            "scopes": PLATFORM_SCOPES,
            "agent": {"mbox": agent_mbox, "objectType": "Agent"},
        }
    )
    auth_file.parent.mkdir(parents=True, exist_ok=True)
    auth_file.write_text(json.dumps(users, indent=2), encoding="utf-8")
    auth_file.chmod(0o600)
    logger.info("LRS user %s is in %s.", username, auth_file)


def patch_ralph() -> None:
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.data.fs import FSDataBackend

    FSDataBackend.default_operation_type = BaseOperationType.APPEND
    FSDataBackend.append_to_history = lambda self, event: None


def add_about_resource(app) -> None:
    from fastapi.responses import JSONResponse

    if any(getattr(route, "path", None) == "/xAPI/about" for route in app.routes):
        return  # A later Ralph serves it itself.

    async def about() -> JSONResponse:
        return JSONResponse(
            {"version": [XAPI_VERSION]}, headers={"X-Experience-API-Version": XAPI_VERSION}
        )

    app.add_api_route("/xAPI/about", about, methods=["GET"], include_in_schema=False)


def main() -> None:
    from ralph.conf import settings

    # Ralph's logging set-up; loggers made before uvicorn applies it again stay enabled.
    log_config = {**settings.LOGGING, "disable_existing_loggers": False}
    logging.config.dictConfig(log_config)
    prepare_directories()
    ensure_platform_user(Path(settings.AUTH_FILE))
    patch_ralph()
    # Imported only now: the routers build their backend client at import time.
    from ralph.api import app

    add_about_resource(app)
    uvicorn.run(
        app,
        host=settings.RUNSERVER_HOST,
        port=settings.RUNSERVER_PORT,
        log_config=log_config,
        proxy_headers=True,
        reload=False,
    )


if __name__ == "__main__":
    main()
