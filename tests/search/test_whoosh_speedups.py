"""The bisecting skip_to finds exactly the postings Whoosh's own linear skip_to finds."""
from __future__ import annotations

import random

from whoosh import fields, index
from whoosh import query as wq

from community.search import whoosh_speedups


def _index(tmp_path, docs: int = 3000):
    ix = index.create_in(str(tmp_path), fields.Schema(n=fields.ID(stored=True), words=fields.KEYWORD))
    writer = ix.writer()
    for i in range(docs):  # several posting blocks (128 postings each) per word
        words = [w for w, every in (("three", 3), ("seven", 7), ("all", 1)) if i % every == 0]
        writer.add_document(n=str(i), words=" ".join(words))
    writer.commit()
    return ix


def test_an_and_query_finds_every_common_document(tmp_path):
    ix = _index(tmp_path)
    with ix.searcher() as searcher:
        hits = searcher.search(wq.And([wq.Term("words", "three"), wq.Term("words", "seven")]), limit=None)
        assert sorted(int(h["n"]) for h in hits) == [i for i in range(3000) if i % 21 == 0]


def test_skip_to_lands_where_the_linear_walk_lands(tmp_path):
    ix = _index(tmp_path)
    rng = random.Random(7)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for word in ("three", "seven", "all"):
            for _ in range(20):
                fast = reader.postings("words", word)
                slow = reader.postings("words", word)
                target = 0
                while fast.is_active():
                    target += rng.randint(1, 400)
                    fast.skip_to(target)
                    whoosh_speedups.original_skip_to(slow, target)
                    assert fast.is_active() == slow.is_active()
                    if fast.is_active():
                        assert fast.id() == slow.id() >= target
