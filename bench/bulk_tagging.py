"""Editor tagging, end to end over HTTP against ``fasou serve`` (a separate process).

Usage: ``python bench/bulk_tagging.py [--docs 50000] [--rounds 3] [--single 20]``

Builds a data directory with a generated corpus (``indexer.importers.synthetic``),
creates an editor with ``fasou users create``, then measures:

* single tag → searchable: PATCH one document's audience, poll the public search
  with that audience filter until the document appears (median, p95);
* bulk: a job tagging every document (selection by query): job time (submitted →
  done), time until search shows all of them with the new audience, the job's
  own "index wait after its last catalog write", and the undo job's time until
  search shows none of them again. Medians over ``--rounds``.

The machine is shared; numbers are noisy: quote medians and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _common import REPO, percentile, running_server

PASSWORD = "bench password 12345"


def build(data_dir: Path, docs: int) -> None:
    from indexer.backends.tantivy_backend import TantivyBackend
    from indexer.catalog import Catalog
    from indexer.importers import synthetic
    from indexer.sync import ensure_index

    catalog = Catalog.open(f"sqlite:///{(data_dir / 'catalog.db').resolve()}")
    catalog.upsert(synthetic.iter_articles(docs))
    backend = TantivyBackend(data_dir / "index" / "tantivy")
    ensure_index(catalog, backend)
    backend.close()
    catalog.close()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "fasou",
            "users",
            "create",
            "bench-editor",
            "--role",
            "editor",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        cwd=REPO,
        capture_output=True,
        env=os.environ | {"FASOU_DATA_DIR": str(data_dir)} | BENCH_ENV,
    )


BENCH_ENV = {
    "FASOU_ENVIRONMENT": "test",
    "FASOU_SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789",
    "FASOU_RATE_LIMITS": '{"search": "1000000/minute", "editor": "1000000/minute"}',
}


def total(client: httpx.Client, **params: str) -> int:
    response = client.get("/api/v1/search", params={"q": "普法", "size": 1} | params)
    response.raise_for_status()
    return response.json()["total"]


def wait_total(client: httpx.Client, expected: int, audience: str) -> float:
    started = time.perf_counter()
    while total(client, audience=audience) != expected:
        time.sleep(0.01)
    return time.perf_counter() - started


def run_job(client: httpx.Client, headers: dict, url: str, body: dict | None = None) -> dict:
    response = client.post(url, json=body, headers=headers)
    response.raise_for_status()
    job_id = response.json()["id"]
    while True:
        job = client.get(f"/api/v1/editor/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed"):
            if job["status"] == "failed":
                raise RuntimeError(job["error"])
            return job
        time.sleep(0.05)


def single_tags(client: httpx.Client, headers: dict, count: int) -> list[float]:
    hits = client.get("/api/v1/search", params={"q": "普法 劳动合同", "size": count}).json()
    latencies = []
    for hit in hits["hits"]:
        started = time.perf_counter()
        client.patch(
            f"/api/v1/editor/documents/{hit['id']}/tags",
            json={"facet": "audience", "add": ["veterans"]},
            headers=headers,
        ).raise_for_status()
        while hit["id"] not in [
            h["id"]
            for h in client.get(
                "/api/v1/search",
                params={"q": "普法 劳动合同", "audience": "veterans", "size": 50},
            ).json()["hits"]
        ]:
            time.sleep(0.005)
        latencies.append(time.perf_counter() - started)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--single", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        started = time.perf_counter()
        build(data_dir, args.docs)
        print(
            f"corpus: {args.docs} documents built and indexed in "
            f"{time.perf_counter() - started:.0f} s"
        )
        with (
            running_server(data_dir, BENCH_ENV) as base,
            httpx.Client(base_url=base, timeout=120) as client,
        ):
            login = client.post(
                "/api/v1/auth/token", data={"username": "bench-editor", "password": PASSWORD}
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            single = single_tags(client, headers, args.single)
            rows = []
            for _ in range(args.rounds):
                body = {
                    "action": "tag",
                    "facet": "audience",
                    "values": ["gig_workers"],
                    "selection": {"query": {"q": "普法"}},
                }
                t0 = time.perf_counter()
                job = run_job(client, headers, "/api/v1/editor/jobs", body)
                job_time = time.perf_counter() - t0
                searchable = wait_total(client, args.docs, "gig_workers")
                t1 = time.perf_counter()
                undo = run_job(client, headers, f"/api/v1/editor/jobs/{job['id']}/undo")
                undo_time = time.perf_counter() - t1
                undo_searchable = wait_total(client, 0, "gig_workers")
                assert job["report"]["changed"] == undo["report"]["changed"] == args.docs
                rows.append(
                    (
                        job_time,
                        searchable,
                        job["report"]["index_wait_seconds"],
                        undo_time,
                        undo_searchable,
                    )
                )
    load = os.getloadavg()[0]
    print(
        f"single tag → searchable over HTTP ({len(single)} documents): "
        f"median {statistics.median(single) * 1000:.0f} ms, "
        f"p95 {percentile(single, 95) * 1000:.0f} ms"
    )
    names = [
        "job (submit → done)",
        "searchable after done",
        "index wait after last write",
        "undo job (submit → done)",
        "undo visible after done",
    ]
    print(f"bulk tag of {args.docs} documents, medians of {args.rounds} rounds:")
    for i, name in enumerate(names):
        values = [r[i] for r in rows]
        print(
            f"  {name:>30}: {statistics.median(values):7.2f} s  (all: "
            f"{', '.join(f'{v:.2f}' for v in values)})"
        )
    print(
        f"  throughput: {args.docs / statistics.median(r[0] for r in rows):.0f} documents/s; "
        f"load average during run: {load:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
