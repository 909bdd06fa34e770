"""News text: normalise (markup, Traditional -> Simplified, full-width letters and digits), time it (UTC and
the session it belongs to), de-duplicate by normalised content, tag themes and the stocks it names."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import unicodedata
from functools import lru_cache

import polars as pl

from etl.market import CLOSE, CODE_IN_TEXT, SHANGHAI, TIMEZONE, is_trading_day, next_trading_day

CCTV_AIRS = dt.time(19, 0)  # 新闻联播 airs at 19:00 Beijing time
FIRST_SESSION = dt.date(1990, 12, 19)  # the SSE's first trading day: nothing market-moving is older
SCRIPT = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)  # code, not text
BLOCK_TAG = re.compile(r"<\s*/?\s*(br|p|div|li|tr|h[1-6])\b[^>]*>", re.IGNORECASE)  # breaks -> a space
TAG = re.compile(r"<[^>]+>")  # inline markup (<b>, <em>, <a>) -> nothing: Chinese has no word spaces
SPACE = re.compile(r"\s+")
FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")
# Longest in the recording: a feed title 54 characters, a CCTV transcript 4,216. Anything far beyond is not a
# news item (a 1 MB "title" was published once): set aside by rule, not cut.
MAX_TITLE_CHARS = 1_000
MAX_BODY_CHARS = 100_000


def _visible_only(text: str) -> str:
    """Control characters (NUL among them) become spaces; format characters go: bidi overrides and isolates
    (which flip how the text around them reads), zero-width spaces and joiners, the BOM, soft hyphens."""
    return "".join(" " if (kind := unicodedata.category(ch)) == "Cc" else "" if kind == "Cf" else ch for ch in text)


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # only news needs it

    return opencc.OpenCC("t2s")


def normalise(text: str | None) -> str:
    """Decode entities, then strip markup (scripts and styles with their content), control and format
    characters, convert to Simplified, fold full-width letters/digits/spaces to ASCII: text of invisible
    characters only normalises to "", a missing title. Entities first: `&lt;script&gt;` is markup once decoded,
    and stripping before decoding would publish it. Chinese punctuation (，。：) is kept: it is the standard
    form, folding it would change meaning nowhere but would mangle quotes and brackets in mixed text."""
    if not text:
        return ""
    for _ in range(3):  # doubly encoded (&amp;lt;) feeds exist
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = TAG.sub("", BLOCK_TAG.sub(" ", SCRIPT.sub("", text)))
    text = FULLWIDTH_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group()), _visible_only(text))
    return SPACE.sub(" ", _t2s().convert(text)).strip()


def trade_date_of(published_local: dt.datetime) -> dt.date:
    """The session a news item belongs to: same day if published by the 15:00 close of a trading day,
    otherwise the next session."""
    day = published_local.date()
    if is_trading_day(day) and published_local.time() <= CLOSE:
        return day
    return next_trading_day(day)


def content_id(title: str, body: str) -> str:
    key = re.sub(r"[\s\W_]+", "", f"{title}{body}".lower())
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def items_from_cctv(raw: pl.DataFrame) -> pl.DataFrame:
    return raw.select(
        pl.lit("news_cctv").alias("origin"),
        pl.col("broadcast_date").alias("__day"),
        pl.lit(CCTV_AIRS).alias("__time"),
        pl.col("broadcast_date").cast(pl.String).alias("__stamp"),
        pl.format("news_cctv:{}", pl.col("broadcast_date")).alias("__capture"),
        "title",
        pl.col("content").alias("body"),
        "url",
        pl.lit(None, pl.String).alias("outlets"),
        "source",
        "fetched_at",
    )


def items_from_feed(raw: pl.DataFrame) -> pl.DataFrame:
    """Per item: a stamp that is not exactly 'YYYY-MM-DD HH:MM:SS' leaves __day null and the item is
    quarantined (news_rows), the rest of the poll goes on."""
    stamp = pl.col("published_local").str.strip_chars().str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, exact=True)
    return raw.select(
        pl.lit("stock_info_global_em").alias("origin"),
        stamp.dt.date().alias("__day"),
        stamp.dt.time().alias("__time"),
        pl.col("published_local").alias("__stamp"),
        pl.format("stock_info_global_em:{}", pl.col("capture")).alias("__capture"),
        "title",
        pl.col("summary").alias("body"),
        "url",
        "outlets",
        "source",
        "fetched_at",
    )


def news_rows(items: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Raw items (both origins) -> (normalised, timed rows with their content id, rows set aside)."""
    from etl.gate.quarantine import split

    rows = items.with_columns(
        title=pl.col("title").fill_null("").map_elements(normalise, return_dtype=pl.String),
        body=pl.col("body").fill_null("").map_elements(normalise, return_dtype=pl.String),
    )
    # An item must carry a time that parses and is plausible: not before the exchange opened, not after the
    # day after its capture (an item "from 2031" would otherwise be timed outside the SSE calendar).
    captured = pl.col("fetched_at").dt.convert_time_zone(TIMEZONE).dt.date()
    latest = pl.coalesce(captured, pl.lit(dt.date.today())) + pl.duration(days=1)
    good, bad = split(
        rows,
        {
            "missing_title": (pl.col("title") == "", pl.col("url")),
            "oversized_text": (
                (pl.col("title").str.len_chars() > MAX_TITLE_CHARS) | (pl.col("body").str.len_chars() > MAX_BODY_CHARS),
                pl.col("url"),
            ),
            "unparseable_published_at": (pl.col("__day").is_null() | pl.col("__time").is_null(), pl.col("__stamp")),
            "implausible_published_at": (
                (pl.col("__day") < FIRST_SESSION) | (pl.col("__day") > latest),
                pl.col("__stamp"),
            ),
        },
    )
    # CCTV items without text keep their title as text (4 in the recording); the feed's summary may be empty
    good = good.with_columns(body=pl.when(pl.col("body") == "").then(pl.col("title")).otherwise(pl.col("body")))
    local = [dt.datetime.combine(d, t) for d, t in good.select("__day", "__time").iter_rows()]
    good = good.with_columns(
        published_at=pl.Series(
            [x.replace(tzinfo=SHANGHAI).astimezone(dt.UTC) for x in local], dtype=pl.Datetime("us", "UTC")
        ),
        trade_date=pl.Series([trade_date_of(x) for x in local], dtype=pl.Date),
        item_id=pl.struct("title", "body").map_elements(
            lambda r: content_id(r["title"], r["body"]), return_dtype=pl.String
        ),
    ).with_columns(check_days_to_session=(pl.col("trade_date") - pl.col("__day")).dt.total_days())
    return good, bad


def dedupe(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct normalised content: the first publication, with the number of repeats."""
    return (
        rows.sort("published_at")
        .group_by("item_id", maintain_order=True)
        .agg(pl.all().first(), duplicates=(pl.len() - 1).cast(pl.Int32))
        .select(
            "item_id",
            "origin",
            "published_at",
            "trade_date",
            "title",
            "body",
            "url",
            "outlets",
            "duplicates",
            "source",
            "fetched_at",
        )
        .sort("published_at", "item_id")
    )


def merge(stored: pl.DataFrame, new: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Newly staged items (deduplicated) merged into the stored ones: per content the first publication wins
    (the stored row on a tie) and repeats add up. Returns the table and the item ids whose row is new."""
    stored = stored.select(new.columns).cast(new.schema)  # DuckDB hands UTC back as Etc/UTC
    both = pl.concat(
        [stored.with_columns(__new=pl.lit(False)), new.with_columns(__new=pl.lit(True))], how="vertical_relaxed"
    )
    merged = (
        both.sort("published_at", "__new")
        .group_by("item_id", maintain_order=True)
        .agg(
            pl.all().exclude("duplicates").first(),
            duplicates=(pl.col("duplicates").sum() + pl.len() - 1).cast(pl.Int32),
        )
    )
    changed = merged.filter("__new")["item_id"].to_list()
    return merged.select(new.columns).sort("published_at", "item_id"), changed


def keywords_fingerprint(themes: dict[str, tuple[str, ...]]) -> str:
    text = "|".join(f"{t}:{','.join(sorted(ws))}" for t, ws in sorted(themes.items()))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=2)
def _tokenizer(words: tuple[str, ...]):
    """A segmenter (jieba-rs through rjieba) that keeps stock names and theme keywords whole."""
    import rjieba

    tokenizer = rjieba.Jieba()
    for word in words:
        tokenizer.add_word(word, 10_000, None)
    return tokenizer


def tag(
    news: pl.DataFrame, themes: dict[str, tuple[str, ...]], universe: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Themes by keyword on segmented text; stocks by 6-digit code or by name (names of 3+ characters, the
    SZSE full-width spacing removed, added to the segmenter so they stay whole)."""
    names = {
        SPACE.sub("", unicodedata.normalize("NFKC", n)): s
        for s, n in universe.select("symbol", "name").iter_rows()
        if n and len(SPACE.sub("", n)) >= 3
    }
    names = {n.rstrip("A").rstrip() if n.endswith("A") and len(n) > 3 else n: s for n, s in names.items()}
    keyword_theme: dict[str, list[str]] = {}
    for theme, words in themes.items():
        for w in words:
            keyword_theme.setdefault(w.lower(), []).append(theme)
    # a stock named like a theme keyword (300024 "机器人") would be tagged by every item on the theme
    names = {n: s for n, s in names.items() if n.lower() not in keyword_theme}
    tokenizer = _tokenizer(tuple(sorted({*names, *(w for ws in themes.values() for w in ws)})))
    theme_rows, stock_rows = [], []
    known = set(universe["symbol"])
    for item_id, title, body in news.select("item_id", "title", "body").iter_rows():
        text = f"{title} {body}"
        # HMM off: the words that matter are in the dictionary; new-word discovery only costs time
        tokens = [t.strip() for t in tokenizer.cut(text, hmm=False)]
        hits: dict[str, list[str]] = {}
        for token in tokens:
            for theme in keyword_theme.get(token.lower(), ()):
                hits.setdefault(theme, []).append(token)
        for theme, words in hits.items():
            theme_rows.append((item_id, theme, len(words), "|".join(sorted(set(words)))))
        seen: dict[str, str] = {}
        for token in tokens:
            if token in names:
                seen.setdefault(names[token], token)
        for code in CODE_IN_TEXT.findall(text):
            if code in known:
                seen.setdefault(code, code)
        stock_rows += [(item_id, s, m) for s, m in seen.items()]
    themes_df = pl.DataFrame(
        theme_rows,
        schema={"item_id": pl.String, "theme": pl.String, "hits": pl.Int32, "keywords": pl.String},
        orient="row",
    )
    stocks_df = pl.DataFrame(
        stock_rows, schema={"item_id": pl.String, "symbol": pl.String, "matched": pl.String}, orient="row"
    )
    return themes_df, stocks_df
