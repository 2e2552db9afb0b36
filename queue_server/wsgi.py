"""WSGI entry for production servers: gunicorn with one worker and more threads than open
screens, exactly as docs/deployment.md runs it (`gunicorn -w 1 --threads 400 … queue_server.wsgi:app`),
and granian's WSGI interface for the API where issuing is busy (`granian --interface wsgi …`).

Settings come from the environment (`HALLQUEUE_DB`, …) or `HALLQUEUE_CONFIG` (a JSON file).
"""
import os

from queue_server.app import create_app

app = create_app(os.environ.get("HALLQUEUE_CONFIG"))
