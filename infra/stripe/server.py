"""The local Stripe stand-in: localstripe's server (customers, subscriptions, invoices, plans) on loopback,
exiting when the process that started it dies. What localstripe lacks (Checkout and Billing Portal
sessions) the local stack answers itself in front of it (infra/src/stripe.rs).

localstripe keeps its state in memory; it would also load /tmp/localstripe.pickle at start, which this
launcher never does, so every stack starts from nothing.
"""

import os
import sys
import threading
import time

from aiohttp import web
from localstripe.server import app


def exit_with_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(0.5)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
    web.run_app(app, host=host, port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
