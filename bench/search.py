"""Search benchmark: Whoosh (community.search) against SQLite FTS5 on the same text, same run.

    .venv/bin/python bench/search.py                   # 100k posts (data set cached in bench/.cache)
    .venv/bin/python bench/search.py --posts 5000 --runs 100

Builds a data set by bulk insert of generated Chinese feedback (community.demo.corpus), then:
- reindex: `rebuild()` from the database into a new generation (posts/s), beside building
  an FTS5 table over the same text pre-segmented by the same analyzer;
- queries: p50/p95 for 1-term, 2-term and phrase Chinese queries and filtered 2-term queries,
  through the engine (ids + exact total for page 1, anonymous visibility filter), beside FTS5
  answering the same thing (top 20 by rank + count(*), hidden rows excluded);
- the full service (engine + loading rows + highlighted snippets) for 2-term queries.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"

ONE_TERM = ["卡顿", "蓝牙", "充电", "导航", "续航", "OTA", "座椅", "空调", "异响", "语音"]
TWO_TERM = ["车机 卡顿", "蓝牙 断连", "充电 速度", "导航 语音", "座椅 加热", "空调 异味", "续航 冬天",
            "OTA 升级", "车机 黑屏", "刹车 异响"]
PHRASES = ['"车机卡顿"', '"冷车上电"', '"页面切换"', '"恢复出厂设置"', '"地图缩放"', '"语音助手"',
           '"蓝牙连接"', '"充电速度"', '"系统版本"', '"领航辅助"']


def _fingerprint(posts: int) -> str:
    digest = hashlib.sha1(f"{posts}-v1".encode())
    for path in [ROOT / "community" / "demo" / "corpus.py", *sorted((ROOT / "migrations" / "versions").glob("*.py"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_dataset(instance: Path, posts: int) -> None:
    """Migrate an empty database and bulk insert users, routing and `posts` posts."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from community import create_app
    from community.accounts.models import User
    from community.demo import corpus
    from community.extensions import db
    from community.feedback.models import Post, Product
    from community.routing.models import Category, Department

    app = create_app({"INSTANCE_PATH": str(instance), "SEARCH_INDEX_DIR": str(instance / "unused_index")})
    rng = random.Random(20261123)
    with app.app_context():
        upgrade()
        now = datetime(2026, 11, 1)
        db.session.execute(sa.insert(User), [
            {"username": f"bench{n}", "email": f"bench{n}@example.test", "password_hash": "x",
             "display_name": f"车主{n}", "role": "member", "created_at": now} for n in range(500)])
        for d in corpus.DEPARTMENTS:
            db.session.add(Department(slug=d["slug"], name=d["name"], name_en=d.get("name_en", "")))
        db.session.flush()
        depts = {d.slug: d.id for d in db.session.execute(sa.select(Department)).scalars()}
        for c in corpus.CATEGORIES:
            db.session.add(Category(slug=c["slug"], name=c["name"], department_id=depts.get(c["department"])))
        for p in corpus.PRODUCTS:
            db.session.add(Product(slug=p["slug"], name=p["name"]))
        db.session.flush()
        cats = {c.slug: (c.id, c.department_id) for c in db.session.execute(sa.select(Category)).scalars()}
        prods = {p.slug: p.id for p in db.session.execute(sa.select(Product)).scalars()}
        user_ids = list(db.session.execute(sa.select(User.id)).scalars())
        statuses = ["new", "acknowledged", "in_progress", "resolved", "closed", "declined", "accepted"]
        batch = []
        for n in range(posts):
            slug = rng.choice(list(cats))
            ftype = rng.choice(corpus.FEEDBACK_TYPES)
            item = corpus.feedback_post(rng, slug, ftype)
            created = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            batch.append({
                "kind": "feedback", "feedback_type": ftype, "title": item["title"][:120], "body": item["body"],
                "body_html": "", "author_id": rng.choice(user_ids), "category_id": cats[slug][0],
                "department_id": cats[slug][1], "product_id": prods.get(item.get("product")),
                "status": rng.choice(statuses), "vote_count": int(rng.paretovariate(1.5)) - 1,
                "created_at": created, "last_activity_at": created, "is_hidden": rng.random() < 0.01,
            })
            if len(batch) == 5000:
                db.session.execute(sa.insert(Post), batch)
                batch = []
        if batch:
            db.session.execute(sa.insert(Post), batch)
        db.session.commit()
        db.engine.dispose()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def timed(fn, queries: list, runs: int) -> tuple[float, float]:
    for q in queries:  # warm caches once
        fn(q)
    samples = []
    for i in range(runs):
        q = queries[i % len(queries)]
        started = time.perf_counter()
        fn(q)
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300, help="timed queries per kind")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached data set")
    parser.add_argument("--reuse-index", action="store_true",
                        help="query the index a previous run left in the cache; no reindex figures (for tuning queries)")
    args = parser.parse_args()

    cached = CACHE / f"search-{args.posts}-{_fingerprint(args.posts)}"
    if args.rebuild and cached.exists():
        shutil.rmtree(cached)
    if not (cached / "ready").exists():
        for stale in CACHE.glob(f"search-{args.posts}-*"):
            shutil.rmtree(stale)
        cached.mkdir(parents=True)
        print(f"Building the data set ({args.posts} posts) …", flush=True)
        started = time.perf_counter()
        build_dataset(cached, args.posts)
        (cached / "ready").write_text(f"{time.perf_counter() - started:.1f}s\n")
        print(f"  done in {time.perf_counter() - started:.0f}s")
    run_dir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    shutil.copy2(cached / "community.db", run_dir / "community.db")
    (run_dir / "secret_key").write_text("bench")

    from community import create_app
    from community.core.database import write_intent
    from community.extensions import db
    from community.search import engine, services
    from community.search.indexer import get_indexer, rebuild

    app = create_app({"INSTANCE_PATH": str(run_dir), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{run_dir / 'community.db'}",
                      "SEARCH_INDEX_DIR": str(run_dir / "search_index")})
    results: dict = {"posts": args.posts, "runs": args.runs, "at": datetime.utcnow().isoformat(timespec="seconds"),
                     "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()}
    with app.app_context(), app.test_request_context():
        write_intent.set(False)
        store = get_indexer().store

        # Reindex ------------------------------------------------------------------------
        kept_index = cached / "search_index"
        if args.reuse_index and kept_index.exists():
            shutil.rmtree(run_dir / "search_index", ignore_errors=True)
            shutil.copytree(kept_index, run_dir / "search_index")
            store.forget_searcher()
            results["whoosh_reindex"] = None
        else:
            cpu = time.process_time()
            report = rebuild(store)
            cpu = time.process_time() - cpu
            results["whoosh_reindex"] = {"documents": report.documents, "seconds": round(report.seconds, 1),
                                         "per_second": round(report.documents / report.seconds),
                                         "cpu_seconds": round(cpu, 1), "per_cpu_second": round(report.documents / cpu)}
            shutil.rmtree(kept_index, ignore_errors=True)
            shutil.copytree(run_dir / "search_index", kept_index)
        fts_path = run_dir / "fts.db"
        started, cpu = time.perf_counter(), time.process_time()
        fts = sqlite3.connect(fts_path)
        fts.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, status UNINDEXED, category_id UNINDEXED, "
                    "hidden UNINDEXED, tokenize='unicode61')")
        rows = db.session.execute(db.text("SELECT id, title, body, status, category_id, is_hidden FROM posts"))
        seg = lambda text: " ".join(engine.analyze(text))  # noqa: E731  same analyzer, same tokens
        fts.executemany("INSERT INTO fts(rowid, title, body, status, category_id, hidden) VALUES (?, ?, ?, ?, ?, ?)",
                        ((r.id, seg(r.title), seg(r.body), r.status, r.category_id, int(r.is_hidden)) for r in rows))
        fts.commit()
        fts_seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        results["fts5_build"] = {"seconds": round(fts_seconds, 1), "per_second": round(args.posts / fts_seconds),
                                 "per_cpu_second": round(args.posts / cpu)}
        db.session.rollback()

        # Queries ------------------------------------------------------------------------
        category = db.session.execute(db.text("SELECT id, slug FROM categories ORDER BY id LIMIT 1")).one()
        visibility = services.visibility_for(None)
        post_filter = engine.Filters(doc_types=("post",))
        filtered = engine.Filters(doc_types=("post",), status="in_progress", category_id=category.id)

        def whoosh(q, filters=post_filter):
            page = engine.search(store, engine.parse_user_query(q), filters, visibility, per_page=20)
            return page.total

        def fts_match(q: str) -> str:
            parsed = engine.parse_user_query(q)
            parts = [f'"{t}"' for t in parsed.words] + ['"' + " ".join(p) + '"' for p in parsed.phrases]
            return " AND ".join(parts)

        def fts_query(q, extra="", params=()):
            match = fts_match(q)
            fts.execute(f"SELECT rowid FROM fts WHERE fts MATCH ? AND hidden = 0 {extra} ORDER BY rank LIMIT 20",
                        (match, *params)).fetchall()
            # Counted up to the same limit as the engine (exact below 1000, "1000+" above).
            total = fts.execute(f"SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? AND hidden = 0 {extra} "
                               f"LIMIT {engine.COUNT_LIMIT + 1})", (match, *params)).fetchone()[0]
            return min(total, engine.COUNT_LIMIT)

        kinds = {"1-term": ONE_TERM, "2-term": TWO_TERM, "phrase": PHRASES}
        results["queries"] = {}
        for name, queries in kinds.items():
            w50, w95 = timed(whoosh, queries, args.runs)
            f50, f95 = timed(fts_query, queries, args.runs)
            # Whoosh may find a few more: it also indexes the words inside long words (充电 in 充电桩).
            results["queries"][name] = {"whoosh_p50": w50, "whoosh_p95": w95, "fts5_p50": f50, "fts5_p95": f95,
                                        "mean_hits": round(statistics.mean(whoosh(q) for q in queries)),
                                        "fts5_mean_hits": round(statistics.mean(fts_query(q) for q in queries))}
        w50, w95 = timed(lambda q: whoosh(q, filtered), TWO_TERM, args.runs)
        f50, f95 = timed(lambda q: fts_query(q, "AND status = ? AND category_id = ?", ("in_progress", category.id)),
                         TWO_TERM, args.runs)
        results["queries"]["2-term filtered"] = {"whoosh_p50": w50, "whoosh_p95": w95, "fts5_p50": f50,
                                                 "fts5_p95": f95,
                                                 "mean_hits": round(statistics.mean(whoosh(q, filtered) for q in TWO_TERM)),
                                                 "fts5_mean_hits": round(statistics.mean(
                                                     fts_query(q, "AND status = ? AND category_id = ?",
                                                               ("in_progress", category.id)) for q in TWO_TERM))}
        s50, s95 = timed(lambda q: services.search(None, q, per_page=20), TWO_TERM, max(50, args.runs // 3))
        results["service_2_term"] = {"p50": s50, "p95": s95}

    print(f"\nSearch benchmark — {args.posts} posts, {args.runs} timed queries per kind; "
          f"{results['cpus']} CPUs, load average {results['load_average_at_start'][0]:.1f} at start")
    r, f = results["whoosh_reindex"], results["fts5_build"]
    whoosh_build = (f"Whoosh {r['documents']} docs in {r['seconds']}s = {r['per_second']}/s ({r['per_cpu_second']}/CPU-s)"
                    if r else "Whoosh skipped (--reuse-index)")
    print(f"reindex: {whoosh_build}  | FTS5 build (ceiling) {f['seconds']}s = {f['per_second']}/s "
          f"({f['per_cpu_second']}/CPU-s)")
    print(f"{'query':<18}{'hits W/F':>14}{'Whoosh p50':>12}{'p95':>9}{'FTS5 p50':>11}{'p95':>9}{'p95 ratio':>11}")
    for name, q in results["queries"].items():
        print(f"{name:<18}{str(q['mean_hits']) + '/' + str(q['fts5_mean_hits']):>14}{q['whoosh_p50']:>10.1f}ms{q['whoosh_p95']:>7.1f}ms"
              f"{q['fts5_p50']:>9.1f}ms{q['fts5_p95']:>7.1f}ms{q['whoosh_p95'] / max(q['fts5_p95'], 1e-6):>10.1f}x")
    s = results["service_2_term"]
    print(f"full service, 2-term (engine + rows + snippets): p50 {s['p50']:.1f}ms  p95 {s['p95']:.1f}ms")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"search-{datetime.utcnow():%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"saved {out.relative_to(ROOT)}")
    shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
