"""Sensitive-word filter benchmark: a 10k-word list against realistic post bodies.

    .venv/bin/python bench/words.py
    .venv/bin/python bench/words.py --words 50000 --posts 2000

Measures, on the same machine in the same run:
  - building the automaton for the list (done once per process and per list change);
  - the filter as screening runs it: normalize (NFKC, case, separators) + Aho–Corasick + map
    matches back to original offsets + mask (WordMatcher.find + replace), per post;
  - ceiling: the bare pyahocorasick scan of text that is already normalized (the library alone,
    same UTF-8 automaton);
  - pyahocorasick over str keys, for comparison: its linear child lookup makes a root node with
    thousands of first characters slow (why the matcher runs over UTF-8 bytes);
  - the approach the issue rules out: a loop of `word in text` over the list, per post.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ahocorasick  # noqa: E402

from community.moderation.words import WordMatcher, normalize_text, normalize_word  # noqa: E402

FILLER = ("升级到 v2.3.1 之后，车机蓝牙每天断好几次，导航语音也会卡顿。希望尽快修复！"
          "The OTA update made Bluetooth drop several times a day. ")


def word_list(n: int, rng: random.Random) -> list[str]:
    # Disjoint from the filler text, so only planted words match (as in real posts).
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 4000) if chr(c) not in FILLER]
    seen: set[str] = set()
    while len(seen) < n:
        seen.add("".join(rng.choice(alphabet) for _ in range(rng.randint(2, 5))))
    return sorted(seen)


def post_bodies(words: list[str], n: int, length: int, rng: random.Random) -> list[str]:
    bodies = []
    for _ in range(n):
        parts, size = [], 0
        while size < length:
            chunk = FILLER[rng.randrange(len(FILLER) // 2):]
            parts.append(chunk)
            size += len(chunk)
            if rng.random() < 0.02:  # some posts carry a listed word, spaced or punctuated to evade
                word = rng.choice(words)
                parts.append(rng.choice([word, " ".join(word), "-".join(word), "，".join(word)]))
        bodies.append("".join(parts)[:length])
    return bodies


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - start)
    return out


def describe(label: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples) * 1e6
    p95 = samples[int(len(samples) * 0.95) - 1] * 1e6
    rate = len(samples) / sum(samples)
    return f"{label:<58} p50 {p50:9.1f} µs   p95 {p95:9.1f} µs   {rate:10.0f} posts/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--length", type=int, default=2000, help="characters per post body")
    parser.add_argument("--naive-posts", type=int, default=50, help="posts for the slow loop-of-`in` baseline")
    args = parser.parse_args()
    rng = random.Random(42)
    words = word_list(args.words, rng)
    bodies = post_bodies(words, args.posts, args.length, rng)
    from importlib.metadata import version

    print(f"{args.words} words, {args.posts} posts of {args.length} characters, "
          f"pyahocorasick {version('pyahocorasick')}, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    start = time.perf_counter()
    pairs = [(normalize_word(w), "hold" if i % 10 == 0 else "replace") for i, w in enumerate(words)]
    matcher = WordMatcher(pairs)
    print(f"build automaton (normalize + add + make_automaton)       {1e3 * (time.perf_counter() - start):9.1f} ms")

    def screen(text):
        return matcher.replace(text, matcher.find(text))

    hits = sum(1 for body in bodies if matcher.find(body))
    print(f"posts with at least one match: {hits}/{len(bodies)}")
    print(describe("filter: normalize + match + map back + mask", timed(screen, bodies)))
    print(describe("  of which normalize_text alone", timed(normalize_text, bodies)))

    normalized = ["".join(normalize_text(b)[0]) for b in bodies]
    encoded = [t.encode("utf-8").decode("latin-1") for t in normalized]
    automaton = matcher._automaton  # the same automaton the filter uses
    print(describe("ceiling: bare pyahocorasick scan (same automaton, UTF-8)", timed(lambda t: list(automaton.iter(t)), encoded)))

    per_char = ahocorasick.Automaton()  # what a straightforward build over str keys does
    for key, action in pairs:
        per_char.add_word(key, (key, action))
    per_char.make_automaton()
    print(describe("naive: pyahocorasick over str keys (wide root node)", timed(lambda t: list(per_char.iter(t)), normalized)))

    keys = [k for k, _ in pairs]
    naive = timed(lambda t: [k for k in keys if k in t], normalized[: args.naive_posts])
    print(describe("ruled out: loop of `word in text` over the list", naive))


if __name__ == "__main__":
    main()
