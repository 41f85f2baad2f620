"""Markdown tables of the PHI benchmark: per Safe Harbor category (recall, precision, survival) and the
leak view (planted identifiers of which something survived in the output)."""

from __future__ import annotations

from bench.phi_corpus.leaks import DIRECT, LeakTally, category_name
from bench.phi_corpus.scoring import Tally
from serve_app.phi.categories import SafeHarborCategory


def fmt(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def _by_category(counts: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for kind, n in counts.items():
        cat = category_name(kind)
        out[cat] = out.get(cat, 0) + n
    return out


def category_figures(t: Tally) -> dict[str, dict[str, float]]:
    gold, found = _by_category(t.gold), _by_category(t.found)
    pred, ok = _by_category(t.pred), _by_category(t.pred_ok)
    out: dict[str, dict[str, float]] = {}
    for cat in [c.value for c in SafeHarborCategory]:
        g, p = gold.get(cat, 0), pred.get(cat, 0)
        if not g and not p:
            continue
        out[cat] = {
            "gold": g,
            "recall": found.get(cat, 0) / g if g else float("nan"),
            "precision": ok.get(cat, 0) / p if p else float("nan"),
        }
    return out


def category_table(
    name: str, tallies: dict[str, Tally], leaks: dict[str, LeakTally] | None = None
) -> list[str]:
    systems = list(tallies)
    figures = {s: category_figures(t) for s, t in tallies.items()}
    head = "| Safe Harbor category | gold | " + " | ".join(f"{s} R | {s} P" for s in systems)
    if leaks:
        head += " | " + " | ".join(f"{s} leaked" for s in systems)
    lines = [f"#### {name} — per Safe Harbor category", "", head + " |"]
    lines.append("|" + "---|" * (2 + 2 * len(systems) + (len(systems) if leaks else 0)))
    cats = [c.value for c in SafeHarborCategory if any(c.value in f for f in figures.values())]
    for cat in cats:
        first = figures[systems[0]].get(cat, {})
        cells = [cat + (" ★" if cat in DIRECT else ""), str(int(first.get("gold", 0)))]
        for s in systems:
            f = figures[s].get(cat, {})
            cells += [fmt(f.get("recall", float("nan"))), fmt(f.get("precision", float("nan")))]
        if leaks:
            for s in systems:
                lt = leaks[s]
                planted = lt.planted.get(cat, 0)
                cells.append(f"{lt.leaked.get(cat, 0)}/{planted}" if planted else "–")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for s in systems:
        t = tallies[s]
        surv = f"{t.survival():.1%} ({t.keep_kept}/{t.keep_total})" if t.keep_total else "n/a"
        extra = ""
        if leaks:
            lt = leaks[s]
            direct = sum(lt.leaked.get(c, 0) for c in DIRECT)
            planted = sum(lt.planted.get(c, 0) for c in DIRECT)
            ways: dict[str, int] = {}
            for (cat, way), n in lt.how.items():
                if cat in DIRECT:
                    ways[way] = ways.get(way, 0) + n
            how = ", ".join(f"{k} {v}" for k, v in sorted(ways.items())) or "none"
            ages = lt.leaked_types.get("AGE", 0)
            extra = f"; direct identifiers leaked {direct}/{planted} (by {how}); ages over 89 leaked {ages}"
        lines.append(f"- {s}: clinical terms kept {surv}{extra}")
    lines.append("")
    lines.append("★ direct identifiers (the issue's zero-leak target).")
    lines.append("")
    return lines
