"""The report's charts (matplotlib). SVG keeps text as text, so the reader's browser draws the Chinese board
names with its own fonts; the PNG of the headline chart (Latin labels only) goes into Dagster's metadata."""

from __future__ import annotations

import base64
import io
import logging
import warnings

import polars as pl

COLORS = {"dividend": "#c0392b", "ai": "#2471a3", "compute_hardware": "#7d3c98", "us_shock": "#7f8c8d"}
CJK_FONTS = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "WenQuanYi Micro Hei",
    "DejaVu Sans",
]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "ashare-report",
            "font.family": "sans-serif",
            "font.sans-serif": CJK_FONTS,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "font.size": 9,
        }
    )
    return plt


def _save(fig, fmt: str) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from the fallback font: the browser draws them
        fig.savefig(buffer, format=fmt, bbox_inches="tight", dpi=110, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def _svg_text(fig) -> str:
    text = _save(fig, "svg").decode("utf-8")
    return text[text.index("<svg") :]


def svg(fig) -> str:
    try:
        return _svg_text(fig)
    finally:
        _plt().close(fig)


def svg_and_png_base64(fig) -> tuple[str, str]:
    """One figure in both forms: SVG for the HTML, base64 PNG for Dagster's metadata."""
    try:
        return _svg_text(fig), base64.b64encode(_save(fig, "png")).decode("ascii")
    finally:
        _plt().close(fig)


def headline(dva: pl.DataFrame, events: list[tuple[str, object]]):
    """Cumulative dividend vs AI, with the daily spread underneath and the events marked."""
    plt = _plt()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.2), sharex=True, height_ratios=[2.2, 1])
    days = dva["trade_date"].to_list()
    top.plot(days, dva["dividend_cum_pct"], color=COLORS["dividend"], label="dividend basket (cum. %)")
    top.plot(days, dva["ai_cum_pct"], color=COLORS["ai"], label="AI basket (cum. %)")
    top.fill_between(days, dva["dividend_cum_pct"], dva["ai_cum_pct"], color="#95a5a6", alpha=0.15)
    top.set_ylabel("cumulative return, %")
    top.legend(loc="lower right", frameon=False)
    spread = dva["spread_pct"].fill_null(0).to_list()
    bottom.bar(days, spread, color=["#2471a3" if s >= 0 else "#c0392b" for s in spread], width=0.8)
    bottom.set_ylabel("AI - dividend, pp")
    for label, day in events:
        for ax in (top, bottom):
            ax.axvline(day, color="#555", linestyle="--", linewidth=0.8)
        top.annotate(label, (day, top.get_ylim()[1]), fontsize=8, ha="right", va="top", rotation=90)
    top.set_title(f"Dividend vs AI baskets, compounded from {dva['cumulative_from'][0]}", loc="left")
    fig.autofmt_xdate()
    return fig


def leaderboard(boards: pl.DataFrame, title: str):
    """Horizontal bars: the day's best and worst boards by equal-weighted return (each with one: the report
    names the boards without a return under the chart)."""
    plt = _plt()
    frame = boards.sort("ew_return_pct")
    fig, ax = plt.subplots(figsize=(6.5, 0.22 * frame.height + 1))
    values = frame["ew_return_pct"].to_list()
    ax.barh(frame["board_name"].to_list(), values, color=["#2471a3" if v >= 0 else "#c0392b" for v in values])
    ax.set_xlabel("equal-weighted return, %")
    ax.set_title(title, loc="left")
    return fig


def lines(frame: pl.DataFrame, x: str, y: str, by: str, title: str, ylabel: str):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 3.4))
    for name, part in frame.sort(x).group_by(by, maintain_order=True):
        ax.plot(part[x].to_list(), part[y].to_list(), label=str(name[0]), color=COLORS.get(str(name[0])))
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    ax.legend(frameon=False, ncols=4)
    fig.autofmt_xdate()
    return fig


def grouped_bars(frame: pl.DataFrame, x: str, y: str, by: str, title: str, ylabel: str):
    plt = _plt()
    groups = sorted(frame[by].unique().to_list())
    xs = sorted(frame[x].unique().to_list())
    fig, ax = plt.subplots(figsize=(9, 3.4))
    width = 0.8 / max(len(groups), 1)
    for i, group in enumerate(groups):
        part = dict(frame.filter(pl.col(by) == group).select(x, y).iter_rows())
        ax.bar(
            [j + i * width for j in range(len(xs))],
            [part.get(v) or 0 for v in xs],
            width=width,
            label=group,
            color=COLORS.get(group),
        )
    ax.set_xticks([j + width * (len(groups) - 1) / 2 for j in range(len(xs))], [str(v) for v in xs])
    ax.axhline(0, color="#333", linewidth=0.6)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    ax.legend(frameon=False, ncols=4)
    return fig


def attention(news: pl.DataFrame, themes: pl.DataFrame, names: list[str]):
    """Per theme: the share of the day's news about it (bars) against the theme's return (line)."""
    plt = _plt()
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 2.2 * len(names)), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=True):
        part = (
            news.filter(pl.col("theme") == name)
            .select("trade_date", "share_pct")
            .join(
                themes.filter(pl.col("theme") == name).select("trade_date", "ew_return_pct"),
                on="trade_date",
                how="left",
            )
            .sort("trade_date")
        )
        ax.bar(part["trade_date"].to_list(), part["share_pct"].to_list(), color=COLORS.get(name), alpha=0.35)
        ax.set_ylabel("% of news")
        twin = ax.twinx()
        twin.plot(part["trade_date"].to_list(), part["ew_return_pct"].to_list(), color=COLORS.get(name), marker=".")
        twin.axhline(0, color="#333", linewidth=0.5)
        twin.set_ylabel("return, %")
        ax.set_title(f"{name}: news share (bars) vs basket return (line)", loc="left")
    fig.autofmt_xdate()
    return fig


def transmission(cross: pl.DataFrame, ticker: str):
    """US move (x) against the next A-share session's theme returns (y)."""
    plt = _plt()
    part = cross.filter(pl.col("ticker") == ticker).drop_nulls(["pct_change", "ai_return_pct"])
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for column, name in (
        ("compute_hardware_return_pct", "compute_hardware"),
        ("ai_return_pct", "ai"),
        ("dividend_return_pct", "dividend"),
    ):
        ax.scatter(
            part["pct_change"].to_list(), part[column].to_list(), s=14, label=name, color=COLORS[name], alpha=0.8
        )
    ax.axhline(0, color="#333", linewidth=0.5)
    ax.axvline(0, color="#333", linewidth=0.5)
    ax.set_xlabel(f"{ticker} return on the US session, %")
    ax.set_ylabel("next A-share session, basket return %")
    ax.set_title(f"US -> A-share: {ticker} vs the next session", loc="left")
    ax.legend(frameon=False)
    return fig


def car_paths(window: pl.DataFrame, event_id: str, title: str):
    plt = _plt()
    part = window.filter((pl.col("event_id") == event_id) & (pl.col("subject_type") == "theme"))
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for (name,), rows in part.sort("day_offset").group_by("subject", maintain_order=True):
        ax.plot(rows["day_offset"].to_list(), rows["car_pct"].to_list(), marker=".", label=name, color=COLORS.get(name))
    ax.axvline(0, color="#555", linestyle="--", linewidth=0.8)
    ax.axhline(0, color="#333", linewidth=0.5)
    ax.set_xlabel("trading days from the event")
    ax.set_ylabel("CAR vs CSI 300, %")
    ax.set_title(title, loc="left")
    ax.legend(frameon=False)
    return fig
