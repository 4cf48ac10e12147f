"""Text folded for search: case and accents ignored, so "gomez" finds "Gómez" and "GÓMEZ"."""

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents (ñ becomes n, as people type it without a Spanish keyboard), single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())
