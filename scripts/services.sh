#!/usr/bin/env bash
# Starts the services the integration tests talk to (PostgreSQL on 127.0.0.1:5432 with trust
# auth and a database `test`; Redis on 127.0.0.1:6379) if they are not answering, and prints
# the environment the tests read. Source it (`. scripts/services.sh`) to export the variables.
# On a machine without these servers, install them from your distribution's packages, e.g.
# `apt-get install postgresql redis-server`, or run `docker run -p 6379:6379 redis:7` and
# `docker run -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:16`.

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 50); do port_open "$1" && return 0; sleep 0.2; done
  return 1
}

if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "== starting PostgreSQL"
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    wait_port 5432 || echo "warning: PostgreSQL did not come up on 127.0.0.1:5432" >&2
  else
    echo "warning: PostgreSQL is not running and pg_ctlcluster is not installed" >&2
  fi
fi

if ! port_open 6379; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "== starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    wait_port 6379 || echo "warning: Redis did not come up on 127.0.0.1:6379" >&2
  else
    echo "warning: Redis is not running and redis-server is not installed" >&2
  fi
fi

if port_open 5432 && command -v psql >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" 2>/dev/null | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE test" >/dev/null 2>&1 || true
fi

export WACLOUD_TEST_POSTGRES_URL="${WACLOUD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
export WACLOUD_TEST_REDIS_URL="${WACLOUD_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
echo "WACLOUD_TEST_POSTGRES_URL=$WACLOUD_TEST_POSTGRES_URL"
echo "WACLOUD_TEST_REDIS_URL=$WACLOUD_TEST_REDIS_URL"
