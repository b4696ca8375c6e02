"""The local AWS stand-in: moto's server, single-threaded, exiting when the process that started it dies.

Single-threaded on purpose: moto applies a TransactWriteItems call as one Python function, so serving one
request at a time makes transactions atomic against each other, as DynamoDB's are.
"""

import os
import sys
import threading
import time

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def exit_with_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(0.5)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, use_reloader=False, use_debugger=False)


if __name__ == "__main__":
    main()
