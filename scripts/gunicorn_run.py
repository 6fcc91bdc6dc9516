"""Gunicorn settings for `make run`: say where the app is only once it can answer.

`post_worker_init` runs in the worker after it has loaded the app, with the socket already
listening, so the printed address answers as soon as the line appears.
"""

# The app decides how long an address may be (MAX_URL_BYTES) and answers its own localized
# 414: gunicorn's default (4,094 bytes) refused a 2,000-character Chinese search with its
# English HTML page. 0 lifts gunicorn's limit (it still stops reading at 1 MB).
limit_request_line = 0


def post_worker_init(worker):
    urls = ", ".join(f"http://{address}/" for address in worker.cfg.bind)
    print(f"\n  共创社区 is running at {urls}\n"
          "  Demo logins (password: demo12345): admin / staff: zhanggong / member: laowang\n"
          "  Stop with Ctrl+C.\n", flush=True)
