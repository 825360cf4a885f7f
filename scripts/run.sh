#!/usr/bin/env bash
# Starts the whole app on its embedded defaults: web (gunicorn; `dev`: Django's autoreloading
# server), Celery worker with embedded beat.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PORT=${PORT:-8000}
export DJANGO_DEBUG=${DJANGO_DEBUG:-1}

$BIN/python manage.py migrate --noinput
logins=$($BIN/python manage.py demo_seed --history)

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

$BIN/celery -A medspa worker -B --loglevel=INFO --concurrency=2 &
pids+=($!)
if [ "${1:-}" = "dev" ]; then
  # For people changing code: Django's development server, restarting on every change.
  $BIN/python manage.py runserver "127.0.0.1:$PORT" &
else
  # A real server (gunicorn, settings in gunicorn.conf.py), serving static files through WhiteNoise.
  PORT=$PORT $BIN/gunicorn medspa.wsgi &
fi
pids+=($!)

for _ in $(seq 60); do
  if $BIN/python -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
      "http://127.0.0.1:$PORT/" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
cat <<BANNER

  ${CLINIC_NAME:-Still Water Aesthetics} is running at http://127.0.0.1:$PORT
  Staff sign-in: http://127.0.0.1:$PORT/staff/login/   API: http://127.0.0.1:$PORT/api/v1/docs
$(echo "$logins" | sed 's/^/  /')
  Emails are written to var/mail/. Press Ctrl-C to stop.

BANNER
# Stop everything as soon as any one of them exits.
wait -n
