"""`python -m model.nondigits --glyphs`: choose the glyphs kind's characters again."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from model.nondigits.glyphs import (
    GLYPH_THRESHOLD,
    GLYPHS_FILE,
    glyph_candidates,
    select_glyphs,
    write_glyphs,
)


def main(argv: Sequence[str] | None = None) -> None:
    """`--glyphs`: choose the glyphs again and rewrite `GLYPHS_FILE` (a few minutes)."""
    parser = argparse.ArgumentParser(prog="python -m model.nondigits", description=main.__doc__)
    parser.add_argument(
        "--glyphs", action="store_true", help="rechoose the glyphs kind's characters"
    )
    parser.add_argument("--threshold", type=float, default=GLYPH_THRESHOLD)
    args = parser.parse_args(argv)
    if not args.glyphs:
        parser.print_help()
        return
    candidates = glyph_candidates()
    kept, _ = select_glyphs(args.threshold)
    write_glyphs(kept)
    print(f"{len(candidates)} candidates, {len(kept)} kept, written to {GLYPHS_FILE}")


if __name__ == "__main__":
    main()
