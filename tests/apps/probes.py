# SPDX-License-Identifier: MIT
"""The dependency probes both test apps' /health endpoints run.

The connection details come from the environment the test gives the app:
REDIS_PORT and REDIS_PASSWORD (tests/servers/redis.sh), POSTGRES_PORT,
POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB (tests/servers/postgres.sh),
all on 127.0.0.1. Each probe returns None when the dependency answers, or
one line saying why not.
"""
import os

import psycopg2
import redis


def redis_error():
    """A fresh connection and PING: a restarted server is seen at once."""
    client = redis.Redis(host="127.0.0.1", port=int(os.environ["REDIS_PORT"]),
                         password=os.environ.get("REDIS_PASSWORD"),
                         socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
        return None
    except redis.RedisError as e:
        return str(e).splitlines()[0] if str(e) else type(e).__name__
    finally:
        client.close()


def postgres_error():
    """psycopg2.connect and SELECT 1."""
    try:
        conn = psycopg2.connect(host="127.0.0.1",
                                port=os.environ["POSTGRES_PORT"],
                                user=os.environ["POSTGRES_USER"],
                                password=os.environ["POSTGRES_PASSWORD"],
                                dbname=os.environ["POSTGRES_DB"],
                                connect_timeout=2)
    except psycopg2.Error as e:
        return str(e).strip().splitlines()[0]
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
        return None
    except psycopg2.Error as e:
        return str(e).strip().splitlines()[0]
    finally:
        conn.close()
