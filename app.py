"""Start the Warta chat: ``python app.py [--host 127.0.0.1] [--port 7860]``.

Other settings come from ``WARTA_*`` environment variables (``WARTA_AUTH=user:password`` asks
for a login). The index is built from the bundled articles first when it is missing.
"""

from __future__ import annotations

import argparse

from assistant.settings import Settings
from assistant.clients.ui import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Warta: the chat over the news articles.")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, help="port to listen on (default 7860)")
    args = parser.parse_args(argv)
    serve(Settings.from_env(host=args.host, port=args.port))


if __name__ == "__main__":
    main()
