"""Run the local API doubles in one process; each on its own 127.0.0.1 port; write their env files.

    python3 tests/peers/apis_serve.py --env-dir tests/.peers [wechat weibo x linkedin meta]

Ports: ``SMM_<NAME>_PORT`` (default 0: any free port). Each server's ``<env-dir>/<name>.env`` is written
once it listens (``SMM_<NAME>_URL`` plus the network's seeded credentials) and removed on exit.
Started and stopped by tests/peers/apis.sh.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from linkedin_api import LinkedIn  # noqa: E402
from meta_api import Meta  # noqa: E402
from mockapi import serve  # noqa: E402
from wechat_api import WeChat  # noqa: E402
from weibo_api import Weibo  # noqa: E402
from x_api import X  # noqa: E402

NETWORKS = {cls.name: cls for cls in (WeChat, Weibo, X, LinkedIn, Meta)}


def write_env(env_dir: Path, name: str, url: str, settings: dict[str, str]) -> Path:
    prefix = f"SMM_{name.upper()}_"
    lines = [f"# written by tests/peers/apis_serve.py ({name} double); read by tests/peers. Shell-sourceable.",
             f"{prefix}URL={url}"] + [f"{prefix}{key}={value}" for key, value in settings.items()]
    path = env_dir / f"{name}.env"
    tmp = path.with_suffix(".env.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-dir", type=Path, required=True)
    parser.add_argument("names", nargs="*", help=f"some of {', '.join(NETWORKS)} (default: all)")
    args = parser.parse_args()
    unknown = set(args.names) - set(NETWORKS)
    if unknown:
        parser.error(f"unknown network(s) {', '.join(sorted(unknown))}; known: {', '.join(NETWORKS)}")
    args.env_dir.mkdir(parents=True, exist_ok=True)
    running = []
    for name in args.names or list(NETWORKS):  # every server listens before any env file is written
        port = int(os.environ.get(f"SMM_{name.upper()}_PORT", "0"))
        network = NETWORKS[name]()
        try:
            server = serve(network, "127.0.0.1", port)
        except OSError as err:
            print(f"{name}: cannot listen on 127.0.0.1:{port}: {err}", file=sys.stderr)
            return 1
        network.base_url = f"http://127.0.0.1:{server.server_port}"
        running.append(network)
    written = [write_env(args.env_dir, n.name, n.base_url, n.settings()) for n in running]
    print("; ".join(f"{n.name}: {n.base_url}" for n in running), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for path in written:
        path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
