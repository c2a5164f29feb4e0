# SPDX-License-Identifier: MIT
"""/health in the plain shape: {"status": ..., "checks": {NAME: {...}}}."""
from django.http import JsonResponse

import probes


def health(request):
    checks = {}
    for name, probe in (("redis", probes.redis_error),
                        ("postgres", probes.postgres_error)):
        error = probe()
        checks[name] = ({"status": "pass"} if error is None
                        else {"status": "fail", "error": error})
    ok = all(c["status"] == "pass" for c in checks.values())
    return JsonResponse({"status": "pass" if ok else "fail", "checks": checks},
                        status=200 if ok else 503)
