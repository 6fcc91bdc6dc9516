"""Gunicorn settings for `make run`: say where the app is only once it can answer.

`post_worker_init` runs in the worker after it has loaded the app, with the socket already
listening, so the printed address answers as soon as the line appears.
"""


def post_worker_init(worker):
    urls = ", ".join(f"http://{address}/" for address in worker.cfg.bind)
    print(f"\n  共创社区 is running at {urls}\n"
          "  Demo logins (password: demo12345): admin / staff: zhanggong / member: laowang\n"
          "  Stop with Ctrl+C.\n", flush=True)
