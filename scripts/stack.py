"""Start, watch and stop the four processes of the sportello.

Used by `make run` (scripts/run.sh) and by the integration tests, so that both start the
service the same way. Standard library only: it runs in the app environment and starts
the Rasa processes with the bot environment's interpreter.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Ports:
    backend: int = 8000
    actions: int = 5055
    rasa: int = 5005
    gateway: int = 8080

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Ports:
        return cls(
            backend=int(env.get("BACKEND_PORT", 8000)),
            actions=int(env.get("ACTIONS_PORT", 5055)),
            rasa=int(env.get("RASA_PORT", 5005)),
            gateway=int(env.get("GATEWAY_PORT", 8080)),
        )


@dataclass
class Process:
    name: str
    command: list[str]
    health_url: str
    popen: subprocess.Popen[bytes] | None = None


@dataclass
class Stack:
    model: Path
    env: dict[str, str]
    log_dir: Path
    venv_dir: Path = ROOT / ".venv"
    host: str = "127.0.0.1"
    processes: list[Process] = field(default_factory=list)
    # Rasa's endpoints file (bot/endpoints.redis.yml or a copy: Redis tracker and locks).
    rasa_endpoints: str = "bot/endpoints.yml"
    # More Rasa servers ("rasa-2", "rasa-3", ...) on these ports; the gateway's RASA_URLS
    # lists them all (scale-out test, benchmark).
    extra_rasa_ports: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        ports = Ports.from_env(self.env)
        bot, app = self.venv_dir / "bot" / "bin", self.venv_dir / "app" / "bin"
        h = self.host
        rasa_ports = [ports.rasa, *self.extra_rasa_ports]
        self.env = {
            **self.env,
            "PYTHONPATH": str(ROOT),
            "BACKEND_URL": f"http://{h}:{ports.backend}",
            "ACTION_SERVER_URL": f"http://{h}:{ports.actions}/webhook",
            "RASA_URLS": ",".join(f"http://{h}:{port}" for port in rasa_ports),
            # The backend asks Rasa for suggested replies in the operator console.
            "RASA_URL": f"http://{h}:{ports.rasa}",
        }
        self.env.setdefault("PUBLIC_BASE_URL", f"http://{h}:{ports.gateway}")
        # Booking confirmations link the .ics file through the gateway's public route.
        if not self.env.get("CALENDAR_BASE_URL"):
            self.env["CALENDAR_BASE_URL"] = f"{self.env['PUBLIC_BASE_URL']}/api/calendar"
        uvicorn = [str(app / "python"), "-m", "uvicorn", "--host", h, "--no-access-log"]
        self.processes = [
            Process(
                "backend",
                [*uvicorn, "--port", str(ports.backend), "backend.main:app"],
                f"http://{h}:{ports.backend}/health",
            ),
            Process(
                "actions",
                [
                    str(bot / "rasa"),
                    "run",
                    "actions",
                    "--actions",
                    "actions",
                    "--port",
                    str(ports.actions),
                ],
                f"http://{h}:{ports.actions}/health",
            ),
            *(
                Process(
                    "rasa" if i == 0 else f"rasa-{i + 1}",
                    [
                        # `rasa run` with Rasa 3.6's action-response check made cheap.
                        str(bot / "python"),
                        "-m",
                        "bot.rasa_server",
                        "run",
                        "--enable-api",
                        "--interface",
                        h,
                        "--port",
                        str(port),
                        "--model",
                        str(self.model),
                        "--endpoints",
                        self.rasa_endpoints,
                        "--credentials",
                        "bot/credentials.yml",
                    ],
                    f"http://{h}:{port}/",
                )
                for i, port in enumerate(rasa_ports)
            ),
            Process(
                "gateway",
                [*uvicorn, "--port", str(ports.gateway), "integrations.app:app"],
                f"http://{h}:{ports.gateway}/health",
            ),
        ]
        self.urls = {
            "widget": f"http://{h}:{ports.gateway}/",
            "web_api": f"http://{h}:{ports.gateway}/api/web/messages",
            "console": f"http://{h}:{ports.backend}/console/",
            "backend_docs": f"http://{h}:{ports.backend}/docs",
            "gateway_docs": f"http://{h}:{ports.gateway}/docs",
        }

    def start(self, only: list[str] | None = None) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for proc in self.processes:
            if only is not None and proc.name not in only:
                continue
            # The child keeps its own copy of the log's descriptor; ours closes at once.
            with (self.log_dir / f"{proc.name}.log").open("ab") as log:
                # A new session per process: stopping it also stops its children.
                proc.popen = subprocess.Popen(
                    proc.command,
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

    def get(self, name: str) -> Process:
        return next(p for p in self.processes if p.name == name)

    def wait_healthy(self, timeout: float = 240.0, only: list[str] | None = None) -> None:
        deadline = time.monotonic() + timeout
        pending = [p for p in self.processes if only is None or p.name in only]
        while pending:
            for proc in list(pending):
                if proc.popen is not None and proc.popen.poll() is not None:
                    raise RuntimeError(
                        f"{proc.name} exited with code {proc.popen.returncode}; "
                        f"see {self.log_dir / (proc.name + '.log')}"
                    )
                if is_healthy(proc.health_url):
                    pending.remove(proc)
            if pending and time.monotonic() > deadline:
                names = ", ".join(p.name for p in pending)
                raise TimeoutError(f"not healthy after {timeout:.0f}s: {names}")
            time.sleep(0.5)

    def stop(self, only: list[str] | None = None, timeout: float = 15.0) -> None:
        # Reverse order: the gateway stops taking messages before what it depends on.
        for proc in reversed(self.processes):
            if proc.popen is None or (only is not None and proc.name not in only):
                continue
            if proc.popen.poll() is None:
                os.killpg(proc.popen.pid, signal.SIGTERM)
                try:
                    proc.popen.wait(timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.popen.pid, signal.SIGKILL)
                    proc.popen.wait()
            proc.popen = None


def is_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def demo_accounts() -> str:
    """The development console accounts (scripts/run.sh creates them), for the banner."""
    path = ROOT / "var" / "demo-accounts.txt"
    if not path.exists():
        return ""
    return "  Console accounts (development only, var/demo-accounts.txt):\n" + path.read_text()


def run_forever(model: Path) -> None:
    """`make run`: start everything, print where to go, stop cleanly on Ctrl-C."""
    stack = Stack(model=model, env=dict(os.environ), log_dir=ROOT / "var" / "log")
    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    print("==> Starting backend, action server, Rasa server and gateway (logs in var/log/)")
    stack.start()
    try:
        stack.wait_healthy()
        print(
            "\nSportello virtuale running:\n"
            f"  Demo page with the web widget : {stack.urls['widget']}\n"
            f"  Operator console              : {stack.urls['console']}\n"
            f"{demo_accounts()}"
            f"  Web channel API               : POST {stack.urls['web_api']}\n"
            f"  Backend API docs              : {stack.urls['backend_docs']}\n"
            f"  Gateway API docs              : {stack.urls['gateway_docs']}\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        while not stopping:
            for proc in stack.processes:
                if proc.popen is not None and proc.popen.poll() is not None:
                    print(f"{proc.name} stopped unexpectedly; see var/log/{proc.name}.log")
                    stopping = True
            time.sleep(1)
    except (RuntimeError, TimeoutError) as exc:
        print(f"Start-up failed: {exc}", file=sys.stderr)
        stack.stop()
        sys.exit(1)
    print("\n==> Stopping...")
    stack.stop()
    print("Stopped.")


if __name__ == "__main__":
    run_forever(Path(sys.argv[1]))
