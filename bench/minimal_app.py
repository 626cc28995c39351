"""The ceiling: the smallest Flask app, served by the same gunicorn settings.

`python -m bench.load` compares the portal's requests per second with this.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "ok"


@app.get("/healthz")
def healthz():
    return "ok"
