"""Rate limiting under load from a second process: the client over the limit gets 429s,
the others are unaffected.

The server runs with the default client key (API token, else IP address). The
abusive client is a separate process bound to 127.0.0.2 (its own address);
a resident on 127.0.0.1 and an automation client with an API token keep
working at a normal pace throughout.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from search_api.auth.roles import Scope
from tests.api.conftest import EditorServer, fresh_copy

RATE = "40/10seconds"  # burst of 40, then 4 per second
DURATION = 5.0

ABUSER = textwrap.dedent(
    """
    import json, sys, time, httpx
    base, duration = sys.argv[1], float(sys.argv[2])
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    counts, retry_after = {}, set()
    with httpx.Client(base_url=base, transport=transport, timeout=30) as client:
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            r = client.get("/api/v1/search", params={"q": "工资", "size": 1})
            counts[r.status_code] = counts.get(r.status_code, 0) + 1
            if r.status_code == 429:
                retry_after.add(r.headers.get("retry-after"))
                assert r.json()["code"] == "rate_limited"
    print(json.dumps({"counts": counts, "retry_after": sorted(retry_after)}))
    """
)


def loopback_alias_works() -> bool:
    try:
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2")) as c:
            c.get("http://127.0.0.1:9/", timeout=0.5)
    except httpx.ConnectError as exc:
        return "Cannot assign" not in str(exc)
    except httpx.HTTPError:
        return True
    return True


@pytest.mark.skipif(not loopback_alias_works(), reason="127.0.0.2 is not usable here")
def test_abusive_process_is_limited_and_others_are_not(editor_corpus: Path, tmp_path: Path) -> None:
    data_dir = fresh_copy(editor_corpus, tmp_path / "data")
    with EditorServer(data_dir, rate_limits={"search": RATE}) as server:
        editor = server.runtime.accounts.get_user("edna")
        token = server.runtime.accounts.issue_api_token(editor, "ci", [Scope.read], 1).token
        abuser = subprocess.Popen(
            [sys.executable, "-c", ABUSER, server.base_url, str(DURATION)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        neighbour: dict[int, int] = {}
        automation: dict[int, int] = {}
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            deadline = time.monotonic() + DURATION
            while time.monotonic() < deadline:
                for counts, headers in (
                    (neighbour, {}),
                    (automation, {"Authorization": f"Bearer {token}"}),
                ):
                    status = client.get(
                        "/api/v1/search", params={"q": "合同", "size": 1}, headers=headers
                    ).status_code
                    counts[status] = counts.get(status, 0) + 1
                time.sleep(0.5)  # 2 requests a second each: under the 4/s steady rate
        out, err = abuser.communicate(timeout=60)
        assert abuser.returncode == 0, err
        result = json.loads(out)
    abused = {int(k): v for k, v in result["counts"].items()}
    print(f"\nabuser (127.0.0.2): {abused}; neighbour: {neighbour}; token client: {automation}")
    assert set(abused) == {200, 429} and abused[429] > abused[200]
    # Allowed: the burst plus the steady rate over the run (with slack for timing).
    assert 40 <= abused[200] <= 40 + 4 * (DURATION + 2)
    assert all(1 <= int(v) <= 3 for v in result["retry_after"])
    assert set(neighbour) == {200} and neighbour[200] >= 5
    assert set(automation) == {200} and automation[200] >= 5
