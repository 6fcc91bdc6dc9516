"""The full-text engine: the ONLY module that imports Whoosh.

Everything Whoosh-specific lives here (analysis, schema, on-disk generations,
writing under the index lock, query building, highlighting), so the backend can be
replaced without touching services, views or the indexer.

Warnings: whoosh-reloaded 2.7.5 still carries an invalid escape sequence in
``whoosh.support.pyparsing`` (a DeprecationWarning on 3.11, SyntaxWarning on 3.12+).
Nothing here imports that module, so no warning is emitted; a test imports and uses
this module in a fresh interpreter with ``-W error`` to keep it that way.

On-disk layout of SEARCH_INDEX_DIR::

    current          text file naming the live generation (replaced atomically)
    gen-<stamp>/     one complete Whoosh index per generation
    rebuilding       present while `flask search reindex` runs (see journal)
    journal          keys written by live writers during a rebuild, replayed after the swap
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import rjieba
from markupsafe import Markup, escape
from pypinyin import lazy_pinyin
from whoosh import fields as wf
from whoosh import highlight as wh
from whoosh import index as wi
from whoosh import query as wq
from whoosh.analysis import Filter, LowercaseFilter, StemFilter, Token, Tokenizer
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from community.search import whoosh_speedups  # noqa: F401  (faster skip_to inside posting blocks)

# Function words that carry no meaning on their own; dropped at index and query time
# alike so that positions stay comparable for phrase queries.
STOP_WORDS = frozenset(
    "的 了 是 在 吗 呢 吧 啊 呀 哦 和 与 及 也 都 就 还 又 很 把 被 让 给 这 那 个 着 过 之 而 或 "
    "a an and are as at be by for from in is it of on or that the this to was were will with".split()
)
_WORD = re.compile(r"\w", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Posts fill title and body, comments fill comment: limiting a search to posts or to
# comments is then a choice of fields, not a filter clause that matches half the index.
FIELDS_BY_TYPE = {"post": ("title", "body"), "comment": ("comment",)}
TITLE_BOOST = 3.0


class SearchUnavailable(Exception):
    """The index is missing, corrupt or unreadable; search degrades, the site keeps working."""


# Analysis -------------------------------------------------------------------------

class ChineseTokenizer(Tokenizer):
    """Segments mixed Chinese/English text with rjieba.

    Positions count real words only (punctuation and spaces are skipped), and
    character offsets point into the original text, so phrase queries and
    highlighting work. At index time the shorter words jieba finds inside a long
    word (中华 inside 中华人民共和国) are added at the SAME position as the long word,
    so they are searchable without shifting the positions of the words after them.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        words = [w for w in rjieba.tokenize(value, mode="default") if _WORD.search(w[0])]
        parts = {}
        if mode == "index" and any(end - start > 2 for _, start, end in words):
            for word, start, end in rjieba.tokenize(value, mode="search"):
                parts.setdefault(start, []).append((word, start, end))
        pos = start_pos
        for word, start, end in words:
            emitted = [(word, start, end)]
            if end - start > 2 and _HAN.search(word):
                for i in range(start, end):
                    emitted += [p for p in parts.get(i, ()) if p[2] <= end and p != (word, start, end)]
            for text, s, e in emitted:
                t.text = text
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = text
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar, t.endchar = start_char + s, start_char + e
                yield t
            pos += 1


class _StopWords(Filter):
    """Drops function words and lone ASCII letters, renumbering positions so that
    tokens which shared a position (a word and its parts) still share one."""

    def __call__(self, tokens):
        last_pos, new_pos = None, -1
        for t in tokens:
            if t.text in STOP_WORDS or (len(t.text) == 1 and t.text.isascii()):
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if t.positions:
                if t.pos != last_pos:
                    new_pos += 1
                    last_pos = t.pos
                t.pos = new_pos
            t.stopped = False
            yield t


@lru_cache(maxsize=65536)
def _pinyin(word: str) -> str:
    return "".join(lazy_pinyin(word, errors="ignore"))


class _PinyinFilter(Filter):
    """At index time, each Chinese word is also indexed as its toneless pinyin at the same position
    (续航 → xuhang), so members typing pinyin without an IME find it. Queries are not expanded: a
    pinyin query is an ASCII word and meets these tokens."""

    def __call__(self, tokens):
        for t in tokens:
            yield t
            if t.mode == "index" and not t.stopped and _HAN.search(t.text):
                spelled = _pinyin(t.text)
                if len(spelled) > 1 and spelled.isascii():
                    t.text = spelled
                    yield t


def chinese_analyzer():
    # StemFilter only changes ASCII words ("charging" -> "charg"); Chinese passes through.
    return ChineseTokenizer() | LowercaseFilter() | _StopWords() | _PinyinFilter() | StemFilter()


ANALYZER = chinese_analyzer()


def analyze(text: str, *, mode: str = "query") -> list[str]:
    return [t.text for t in ANALYZER(text or "", mode=mode)]


def _schema() -> wf.Schema:
    # Exact-match filters are ID fields holding the id as text: one posting per document,
    # where a 64-bit NUMERIC field would write four (it is built for range queries).
    return wf.Schema(
        key=wf.ID(stored=True, unique=True),        # "post:12" or "comment:34"
        doc_type=wf.ID(stored=True),                # post | comment
        post_id=wf.STORED,
        post_ref=wf.ID,                             # the post id as text, on the post and its comments
        comment_id=wf.STORED,
        title=wf.TEXT(analyzer=ANALYZER, field_boost=TITLE_BOOST, phrase=True),
        body=wf.TEXT(analyzer=ANALYZER, phrase=True),
        comment=wf.TEXT(analyzer=ANALYZER, phrase=True),
        kind=wf.ID,
        feedback_type=wf.ID,
        status=wf.ID,
        category_id=wf.ID,
        product_id=wf.ID,
        department_id=wf.ID,
        author_id=wf.ID,
        post_author_id=wf.ID,
        created=wf.DATETIME(sortable=True),
        votes=wf.NUMERIC(sortable=True, bits=32),
        # Visibility of the post (a comment carries its post's flags).
        hidden=wf.BOOLEAN,
        deleted=wf.BOOLEAN,
        merged=wf.BOOLEAN,
    )


SCHEMA = _schema()


def _prepare(doc: dict) -> dict:
    out = {"hidden": False, "deleted": False, "merged": False}
    for name, value in doc.items():
        if name not in SCHEMA.names() or value is None:
            continue
        if isinstance(SCHEMA[name], wf.ID) and not isinstance(value, str):
            value = str(value)
        out[name] = value
    if "post_id" in doc:
        out["post_ref"] = str(doc["post_id"])
    return out


POST_TREE = "post-tree:"  # a delete key meaning "the post and all its comments"


# Storage: generations behind an atomically replaced pointer --------------------------

class IndexStore:
    MAX_IDLE_SEARCHERS = 8

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        # Searchers shared by all threads: taken for one search, then given back. A searcher of
        # an older version is closed when met or given back, and after each write of ours, so
        # idle threads never keep merged-away (deleted) segment files open.
        self._idle: list[tuple[Path | None, object]] = []
        self._idle_lock = threading.Lock()
        # Closed when the store goes away or the interpreter exits (no unclosed-file warnings).
        weakref.finalize(self, _close_idle, self._idle)

    @contextmanager
    def searching(self, *, fresh: bool = False):
        """A searcher on the live generation for one search (checking it is current costs one
        directory listing; opening one costs milliseconds). Not Searcher.refresh(): it reuses
        segment readers and misses new deletions."""
        path = self.current_dir()
        searcher = None if fresh else self._take_idle(path)
        if searcher is None:
            searcher = self.open(path).searcher()
        ok = False
        try:
            yield searcher
            ok = True
        finally:
            self._give_back(path, searcher, ok)

    def _take_idle(self, path):
        stale, found = [], None
        with self._idle_lock:
            while self._idle and found is None:
                idle_path, searcher = self._idle.pop()
                if idle_path == path and _up_to_date(searcher):
                    found = searcher
                else:
                    stale.append(searcher)
        _close_all(stale)
        return found

    def _give_back(self, path, searcher, ok: bool) -> None:
        if ok and path == self.current_dir() and _up_to_date(searcher):
            with self._idle_lock:
                if len(self._idle) < self.MAX_IDLE_SEARCHERS:
                    self._idle.append((path, searcher))
                    return
        _close_all([searcher])

    def close_stale_searchers(self) -> None:
        """Close idle searchers that no longer see the live index (after a write or swap)."""
        path = self.current_dir()
        with self._idle_lock:
            keep = [(p, s) for p, s in self._idle if p == path and _up_to_date(s)]
            stale = [s for p, s in self._idle if (p, s) not in keep]
            self._idle[:] = keep  # in place: the finalizer holds this list
        _close_all(stale)

    def forget_searcher(self) -> None:
        """Close every idle searcher (a damaged index, a benchmark's cold start)."""
        with self._idle_lock:
            idle = [s for _p, s in self._idle]
            self._idle.clear()
        _close_all(idle)

    @property
    def pointer(self) -> Path:
        return self.root / "current"

    @property
    def rebuild_marker(self) -> Path:
        return self.root / "rebuilding"

    @property
    def journal(self) -> Path:
        return self.root / "journal"

    def current_dir(self) -> Path | None:
        try:
            name = self.pointer.read_text().strip()
        except FileNotFoundError:
            return None
        return self.root / name if name else None

    def new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        path.mkdir()
        wi.create_in(str(path), SCHEMA)
        return path

    def swap_to(self, path: Path, keep: int = 2) -> None:
        """Point `current` at `path` atomically; keep the previous generation for open readers."""
        tmp = self.root / f".current-{secrets.token_hex(4)}"
        tmp.write_text(path.name)
        os.replace(tmp, self.pointer)
        self.close_stale_searchers()
        gens = sorted((p for p in self.root.glob("gen-*") if p.is_dir() and p != path),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        for old in gens[keep - 1:]:
            shutil.rmtree(old, ignore_errors=True)

    def ensure(self) -> Path:
        """The live generation, creating an empty index when there is none yet."""
        current = self.current_dir()
        if current is not None and current.is_dir():
            return current
        self.root.mkdir(parents=True, exist_ok=True)
        lock = self.root / ".create.lock"
        import fcntl

        with open(lock, "w") as fh:  # two processes starting at once create one index
            fcntl.flock(fh, fcntl.LOCK_EX)
            current = self.current_dir()
            if current is not None and current.is_dir():
                return current
            path = self.new_generation()
            self.swap_to(path)
            return path

    def open(self, path: Path | None = None):
        path = path or self.current_dir()
        if path is None or not path.is_dir():
            raise SearchUnavailable("no search index")
        for attempt in range(5):
            try:
                ix = _open_index(path)
                names = set(ix.schema.names())  # reads the newest TOC
                break
            except FileNotFoundError as exc:
                # Another writer committed between listing the TOCs and reading the newest one
                # (and removed it); a newer one exists, so read again.
                if attempt == 4:
                    raise SearchUnavailable(str(exc)) from exc
            except Exception as exc:  # whoosh raises many kinds on damaged files
                raise SearchUnavailable(str(exc)) from exc
        if names != set(SCHEMA.names()):
            raise SearchUnavailable("the index was built by another version; run `flask search reindex`")
        return ix

    # Writing --------------------------------------------------------------------

    def apply(self, upserts: list[dict], deletes: list[str], *, path: Path | None = None,
              lock_timeout: float = 2.0) -> Path:
        """Write one batch under Whoosh's file lock. Raises LockBusy if another writer holds it."""
        path = path or self.ensure()
        ix = self.open(path)
        try:
            writer = ix.writer(timeout=lock_timeout, delay=0.05)
        except LockError as exc:
            raise LockBusy() from exc
        try:
            for key in deletes:
                if key.startswith(POST_TREE):
                    writer.delete_by_term("post_ref", key[len(POST_TREE):])
                else:
                    writer.delete_by_term("key", key)
            for doc in upserts:
                writer.update_document(**_prepare(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self.close_stale_searchers()
        return path

    def bulk_build(self, docs, path: Path, *, batch: int = 20_000) -> int:
        """Fill a fresh generation; big segments, few merges."""
        ix = _open_index(path)
        count = 0
        writer = ix.writer(limitmb=256)
        for doc in docs:
            writer.add_document(**_prepare(doc))
            count += 1
            if count % batch == 0:
                writer.commit(merge=False)
                writer = ix.writer(limitmb=256)
        writer.commit(optimize=True)
        return count

    def verify(self) -> int:
        """Read the whole live index as searches do: every stored document, every term and
        its postings, then one query. Returns the document count; raises SearchUnavailable
        at the first damage Whoosh notices (random bytes inside a segment used to fail some
        queries while the stored ids still read fine)."""
        ix = self.open()
        try:
            with ix.searcher() as searcher:
                reader = searcher.reader()
                count = sum(1 for _ in reader.all_stored_fields())
                first_term = None
                for fieldname, text in reader.all_terms():
                    if first_term is None and fieldname in ("title", "body", "comment"):
                        first_term = (fieldname, text)
                    for _ in reader.postings(fieldname, text).all_ids():
                        pass
                if first_term is not None:
                    searcher.search(wq.Term(*first_term), limit=10)
                return count
        except SearchUnavailable:
            raise
        except Exception as exc:
            raise SearchUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def all_keys(self) -> set[str]:
        ix = self.open()
        try:
            with ix.searcher() as searcher:
                return {fields["key"] for fields in searcher.all_stored_fields()}
        except SearchUnavailable:
            raise
        except Exception as exc:
            raise SearchUnavailable(str(exc)) from exc


def _up_to_date(searcher) -> bool:
    try:
        return searcher.up_to_date()
    except Exception:  # files gone or damaged: not worth keeping
        return False


def _close_idle(idle: list) -> None:
    _close_all([searcher for _path, searcher in idle])
    idle.clear()


def _close_all(searchers) -> None:
    for searcher in searchers:
        try:
            searcher.close()
        except Exception:  # closing a broken reader must not hide the real error
            pass


def _open_index(path: Path):
    """Without mmap: a truncated segment file then raises an error we handle, instead of a
    SIGBUS that kills the whole worker (and every socket it holds)."""
    return FileStorage(str(path), supports_mmap=False).open_index()


class LockBusy(Exception):
    """Another thread or process holds the index's write lock; try again shortly."""


# Queries ----------------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"')
# Characters that mean something in query languages; here they are just separators.
_OPERATORS = re.compile(r'[\\()\[\]{}*~^:!+\-"<>=/|&?]|\b(?:AND|OR|NOT|TO)\b')


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)          # analyzed terms, each required
    phrases: list[list[str]] = field(default_factory=list)  # analyzed phrases
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    @property
    def terms(self) -> set[str]:
        return set(self.words) | {t for p in self.phrases for t in p}


def parse_user_query(text: str, *, max_chars: int = 200, max_terms: int = 24) -> ParsedQuery:
    """Tolerant parsing: quotes make phrases (an unbalanced one is ignored), every
    operator character is a plain separator, and long input is cut down."""
    text = (text or "").replace("\x00", " ")
    parsed = ParsedQuery(truncated=len(text) > max_chars)
    text = text[:max_chars]
    for chunk in _QUOTED.findall(text):
        terms = analyze(_OPERATORS.sub(" ", chunk))
        if len(terms) > 1:
            parsed.phrases.append(terms[:max_terms])
        else:
            parsed.words.extend(terms)
    rest = _QUOTED.sub(" ", text).replace('"', " ")
    for term in analyze(_OPERATORS.sub(" ", rest)):
        if term not in parsed.words:
            parsed.words.append(term)
    if len(parsed.words) > max_terms or len(parsed.phrases) > 4:
        parsed.truncated = True
        parsed.words, parsed.phrases = parsed.words[:max_terms], parsed.phrases[:4]
    return parsed


def _anywhere(make, fields) -> wq.Query:
    return wq.Or([make(f) for f in fields]) if len(fields) > 1 else make(fields[0])


def text_query(parsed: ParsedQuery, *, match_all: bool = True, doc_types=("post", "comment")) -> wq.Query:
    fields = [f for t in doc_types for f in FIELDS_BY_TYPE[t]]
    parts = [_anywhere(lambda f, t=t: wq.Term(f, t), fields) for t in parsed.words]
    parts += [_anywhere(lambda f, p=p: wq.Phrase(f, p), fields) for p in parsed.phrases]
    if len(parts) == 1:
        return parts[0]
    return wq.And(parts) if match_all else wq.Or(parts, scale=0.9)


@dataclass
class Filters:
    """Exact-match filters; ids are database ids, dates naive UTC."""

    doc_types: tuple[str, ...] = ("post", "comment")
    kind: str | None = None
    feedback_type: str | None = None
    status: str | None = None
    category_id: int | None = None
    product_id: int | None = None
    department_id: int | None = None
    author_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass
class Visibility:
    """Which posts the viewer may see: permissions.post_scope in the index's terms."""

    include_deleted: bool = False
    include_hidden: bool = False
    own_hidden_author_id: int | None = None  # a member still sees their own hidden posts


def filter_query(filters: Filters, visibility: Visibility) -> tuple[list[wq.Query], list[wq.Query]]:
    """(required, excluded) clauses. Exclusions name the rare documents (hidden, deleted,
    merged) so a query never walks the whole index just to say "visible"."""
    required: list[wq.Query] = []
    excluded: list[wq.Query] = [wq.Term("merged", True)]
    if not visibility.include_deleted:
        excluded.append(wq.Term("deleted", True))
    if not visibility.include_hidden:
        if visibility.own_hidden_author_id is not None:
            excluded.append(wq.AndNot(wq.Term("hidden", True),
                                      wq.Term("post_author_id", str(visibility.own_hidden_author_id))))
        else:
            excluded.append(wq.Term("hidden", True))
    for name in ("kind", "feedback_type", "status", "category_id", "product_id", "department_id", "author_id"):
        value = getattr(filters, name)
        if value is not None and value != "":
            required.append(wq.Term(name, str(value)))
    if filters.created_from or filters.created_to:
        required.append(wq.DateRange("created", filters.created_from, filters.created_to))
    return required, excluded


def combined_query(parsed: ParsedQuery, filters: Filters, visibility: Visibility, *,
                   match_all: bool) -> tuple[wq.Query, wq.Query]:
    """(query, mask). The mask (documents never to return) is small, so Whoosh resolves it
    to a set cheaply. Required filters are plain And clauses: every hit matches them equally,
    so they shift all scores alike and leave the ranking alone. (Whoosh 2.7.5's AndNot and
    Require matchers trip an assertion when skipping blocks; a zero ConstantScoreQuery drops hits.)"""
    required, excluded = filter_query(filters, visibility)
    query = text_query(parsed, match_all=match_all, doc_types=filters.doc_types)
    if required:
        query = wq.And([query, *required])
    return query, wq.Or(excluded)


SORTS = ("relevance", "new", "votes")


@dataclass
class Hit:
    key: str
    doc_type: str
    post_id: int
    comment_id: int | None
    score: float


@dataclass
class HitPage:
    hits: list[Hit]
    total: int
    total_exact: bool = True


COUNT_LIMIT = 1000  # exact counts up to here (50 pages of 20); beyond, "1000+"


def _count(searcher, query, mask: set[int], limit: int) -> tuple[int, bool]:
    """(number of matches up to `limit`, whether that is exact). Whoosh's len(results)
    intersects by materializing every clause's full posting list (a "status = new" filter
    means reading most of the index); walking the matcher lets the rarest word drive the
    intersection with skip_to, and stopping at `limit` bounds the cost of common words."""
    total = 0
    context = searcher.boolean_context()
    for leaf, offset in searcher.leaf_searchers():
        matcher = query.matcher(leaf, context)
        while matcher.is_active():
            if matcher.id() + offset not in mask:
                total += 1
                if total > limit:
                    return limit, False
            matcher.next()
    return total, True


def _search_once(searcher, parsed, filters, visibility, *, sort, page, per_page, match_all) -> HitPage:
    kwargs = {}
    if sort == "new":
        kwargs = {"sortedby": "created", "reverse": True}
    elif sort == "votes":
        kwargs = {"sortedby": ["votes", "created"], "reverse": True}
    query, mask_query = combined_query(parsed, filters, visibility, match_all=match_all)
    # A plain set: Whoosh's BitSet answers bool() by scanning every byte, on every hit.
    mask = set(searcher.docs_for_query(mask_query))
    results = searcher.search(query, mask=mask, limit=page * per_page, **kwargs)
    total, exact = _count(searcher, query, mask, max(COUNT_LIMIT, page * per_page))
    hits = []
    for hit in results[(page - 1) * per_page: page * per_page]:
        stored = hit.fields()
        hits.append(Hit(key=stored["key"], doc_type=stored["doc_type"], post_id=stored["post_id"],
                        comment_id=stored.get("comment_id"),
                        score=(hit.score or 0.0) if sort == "relevance" else 0.0))
    return HitPage(hits=hits, total=total, total_exact=exact)


def search(store: IndexStore, parsed: ParsedQuery, filters: Filters, visibility: Visibility, *,
           sort: str = "relevance", page: int = 1, per_page: int = 20, match_all: bool = True) -> HitPage:
    for attempt in range(3):
        try:
            with store.searching(fresh=attempt > 0) as searcher:
                return _search_once(searcher, parsed, filters, visibility, sort=sort, page=page,
                                    per_page=per_page, match_all=match_all)
        except Exception as exc:  # a damaged segment shows up only when it is read
            store.forget_searcher()
            if attempt == 2:
                raise SearchUnavailable(str(exc)) from exc
            # A writer may have merged away the segments we were opening: look again.
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


# Highlighting ---------------------------------------------------------------------------

class _MarkFormatter(wh.Formatter):
    """Wraps matches in <mark>. Every piece of text goes through markupsafe.escape
    (which also escapes quotes), unlike Whoosh's HtmlFormatter."""

    between = " … "

    def _text(self, text):
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(wh.get_text(text, token, replace))}</mark>"


def _window(text: str, terms: set[str], size: int) -> str:
    """The part of a long text around the first raw occurrence of a term, so that
    highlighting a 20,000-character body does not segment all of it. Terms are
    lowercased stems ("charg"), which still occur verbatim in the lowercased text."""
    if len(text) <= size:
        return text
    lowered = text.lower()
    found = [i for i in (lowered.find(t) for t in terms) if i >= 0]
    start = max(0, min(found) - size // 3) if found else 0
    return text[start:start + size]


def highlight(text: str, terms: set[str], *, max_chars: int = 160, whole: bool = False) -> Markup:
    """An escaped snippet of `text` around the matched terms (all of it when `whole`),
    or its escaped start when nothing matches."""
    text = text or ""
    if terms:
        window = text if whole else _window(text, terms, max_chars * 3)
        fragmenter = wh.WholeFragmenter() if whole else wh.ContextFragmenter(maxchars=max_chars, surround=40)
        fragment = wh.highlight(window, frozenset(terms), ANALYZER, fragmenter, _MarkFormatter(), top=2, mode="index")
        if fragment:
            return Markup(fragment)  # built only from escape() output and <mark> tags
    short = text if len(text) <= max_chars else text[:max_chars].rstrip() + "…"
    return escape(short)
