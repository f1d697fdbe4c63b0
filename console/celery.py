"""The Celery app: jobs run in a worker process, on Redis/RabbitMQ when configured, else on a folder broker."""

import os
import re

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

app = Celery("ims")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="console.heartbeat")
def heartbeat(name: str) -> str:
    """Proves a worker consumes the broker: writes VAR_DIR/heartbeat/NAME, which the sender then finds."""
    from django.conf import settings

    safe_name = re.sub(r"[^A-Za-z0-9_-]", "", name)[:64] or "beat"
    folder = settings.VAR_DIR / "heartbeat"
    folder.mkdir(exist_ok=True)
    (folder / safe_name).write_text("alive")
    return safe_name
