#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Read a Kubernetes manifest file for tests/cli/kubernetes.sh.

k8s_probes.py FILE OUTDIR writes OUTDIR/configmap.ini (the ConfigMap's
INI) and prints one line per HTTP path the manifests send to healthcheckd:
    KIND PATH PORT
KIND is startupProbe, livenessProbe, readinessProbe, service or ingress,
PORT the container port it reaches (named ports resolved). It exits 1 with
a message when the manifests are inconsistent in themselves.
"""
import configparser
import os
import re
import sys

import yaml


def fail(msg):
    sys.exit("k8s_probes: " + msg)


def main():
    path, outdir = sys.argv[1], sys.argv[2]
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    for kind in ("ConfigMap", "Secret", "Deployment", "Service", "Ingress"):
        if len(by_kind.get(kind, [])) != 1:
            fail("expected one %s, found %d" % (kind, len(by_kind.get(kind, []))))
    cm, secret = by_kind["ConfigMap"][0], by_kind["Secret"][0]
    dep, svc, ing = by_kind["Deployment"][0], by_kind["Service"][0], by_kind["Ingress"][0]
    ini = cm["data"]["healthcheckd.ini"]
    with open(os.path.join(outdir, "configmap.ini"), "w") as f:
        f.write(ini)

    pod = dep["spec"]["template"]["spec"]
    containers = {c["name"]: c for c in pod["containers"]}
    hc = containers.get("healthcheckd")
    if hc is None:
        fail("no container named healthcheckd")
    named = {p["name"]: p["containerPort"] for c in pod["containers"] for p in c.get("ports", [])}

    # The volumes: the ConfigMap and Secret this file ships, mounted where
    # the daemon's arguments and configuration look.
    vols = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: vols[m["name"]] for m in hc["volumeMounts"]}
    conf = hc["args"][hc["args"].index("-c") + 1]
    cvol = mounts.get(os.path.dirname(conf), {}).get("configMap", {})
    if cvol.get("name") != cm["metadata"]["name"] or os.path.basename(conf) not in cm["data"]:
        fail("healthcheckd's -c %s is not the ConfigMap's file" % conf)
    parser = configparser.ConfigParser(inline_comment_prefixes=(";",), strict=False)
    parser.read_string(ini)
    token = parser.get("server", "token_file", fallback=None)
    if token:
        svol = mounts.get(os.path.dirname(token), {}).get("secret", {})
        if svol.get("secretName") != secret["metadata"]["name"] or \
                os.path.basename(token) not in secret.get("stringData", secret.get("data", {})):
            fail("token_file %s is not the Secret's key" % token)
        if svol.get("defaultMode", 0o644) & 0o004:
            fail("the token Secret is mounted readable by others: the daemon refuses it")

    # Shutdown: the grace period outlasts shutdown_delay + 2 s.
    delay = parser.get("server", "shutdown_delay", fallback="5s")
    m = re.fullmatch(r"(\d+)(ms|s|m)", delay)
    secs = int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[m.group(2)]
    grace = pod.get("terminationGracePeriodSeconds", 30)
    if not grace > secs + 2:
        fail("terminationGracePeriodSeconds %s <= shutdown_delay %s + 2 s" % (grace, delay))

    # The securityContext the issue asks for.
    psc = pod.get("securityContext", {})
    if not psc.get("runAsNonRoot") or psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        fail("the pod must run as non-root with the RuntimeDefault seccomp profile")
    for c in pod["containers"]:
        sc = c.get("securityContext", {})
        if not sc.get("readOnlyRootFilesystem") or sc.get("capabilities", {}).get("drop") != ["ALL"] \
                or sc.get("allowPrivilegeEscalation") is not False:
            fail("container %s: read-only root, no capabilities, no escalation" % c["name"])
    if "requests" not in hc.get("resources", {}):
        fail("healthcheckd has no resource requests")

    def port(p):
        return named[p] if isinstance(p, str) else p

    for c in pod["containers"]:
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            if kind in c:
                g = c[kind]["httpGet"]
                print(kind, g["path"], port(g["port"]))
    svc_ports = {p["name"]: port(p["targetPort"]) for p in svc["spec"]["ports"]}
    hc_ports = {p["containerPort"] for p in hc["ports"]}
    for rule in ing["spec"]["rules"]:
        for p in rule["http"]["paths"]:
            b = p["backend"]["service"]
            if b["name"] != svc["metadata"]["name"]:
                fail("the Ingress sends %s to another Service" % p["path"])
            target = svc_ports[b["port"]["name"]]
            if target in hc_ports:
                print("ingress", p["path"], target)


main()
