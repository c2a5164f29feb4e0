# SPDX-License-Identifier: MIT
"""The FastAPI test app: /health as IETF health+json
(draft-inadarei-api-health-check), served by uvicorn
(tests/servers/fastapi.sh)."""
import os
import sys
import time

from fastapi import FastAPI
from fastapi.responses import JSONResponse

# probes.py is shared with the Django app, one directory up.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import probes  # noqa: E402

app = FastAPI()


def observe(name, probe):
    """One IETF check entry: "NAME:responseTime" and its observation."""
    start = time.monotonic()
    error = probe()
    entry = {"componentId": name, "componentType": "datastore",
             "observedValue": round((time.monotonic() - start) * 1000, 1),
             "observedUnit": "ms",
             "status": "pass" if error is None else "fail"}
    if error is not None:
        entry["output"] = error
    return f"{name}:responseTime", [entry]


# A plain def: FastAPI runs it in its thread pool, so the blocking
# clients do not stall the event loop.
@app.get("/health")
def health():
    checks = dict(observe(n, p) for n, p in (("redis", probes.redis_error),
                                             ("postgres",
                                              probes.postgres_error)))
    ok = all(e[0]["status"] == "pass" for e in checks.values())
    return JSONResponse({"status": "pass" if ok else "fail",
                         "serviceId": "hc-fastapi-demo", "checks": checks},
                        status_code=200 if ok else 503,
                        media_type="application/health+json")
