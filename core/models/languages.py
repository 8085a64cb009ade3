"""Language codes: ISO 639 codes, NLLB-200 codes and M2M100 codes of the paper's 57 languages.

The paper evaluated on 39 languages of XTREME's PAN-X (WikiANN) and 18 of MasakhaNER 2.0;
English (``eng_Latn``) is the source side. Marian models are one model per language pair
and need no code (multi-target Marian models use ``>>xxx<<`` tokens, derived from ISO 639-3).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import LabelBridgeError


@dataclass(frozen=True)
class Language:
    code: str  # the dataset's code (ISO 639-1 for XTREME, 639-3 for MasakhaNER2)
    name: str
    nllb: str  # NLLB-200 / EasyProject code
    m2m100: str | None  # M2M100 code, None when M2M100 lacks the language
    dataset: str  # "xtreme" (PAN-X) or "masakhaner2"


_XTREME = [
    ("af", "Afrikaans", "afr_Latn", "af"),
    ("ar", "Arabic", "arb_Arab", "ar"),
    ("bg", "Bulgarian", "bul_Cyrl", "bg"),
    ("bn", "Bengali", "ben_Beng", "bn"),
    ("de", "German", "deu_Latn", "de"),
    ("el", "Greek", "ell_Grek", "el"),
    ("es", "Spanish", "spa_Latn", "es"),
    ("et", "Estonian", "est_Latn", "et"),
    ("eu", "Basque", "eus_Latn", None),
    ("fa", "Persian", "pes_Arab", "fa"),
    ("fi", "Finnish", "fin_Latn", "fi"),
    ("fr", "French", "fra_Latn", "fr"),
    ("he", "Hebrew", "heb_Hebr", "he"),
    ("hi", "Hindi", "hin_Deva", "hi"),
    ("hu", "Hungarian", "hun_Latn", "hu"),
    ("id", "Indonesian", "ind_Latn", "id"),
    ("it", "Italian", "ita_Latn", "it"),
    ("ja", "Japanese", "jpn_Jpan", "ja"),
    ("jv", "Javanese", "jav_Latn", "jv"),
    ("ka", "Georgian", "kat_Geor", "ka"),
    ("kk", "Kazakh", "kaz_Cyrl", "kk"),
    ("ko", "Korean", "kor_Hang", "ko"),
    ("ml", "Malayalam", "mal_Mlym", "ml"),
    ("mr", "Marathi", "mar_Deva", "mr"),
    ("ms", "Malay", "zsm_Latn", "ms"),
    ("my", "Burmese", "mya_Mymr", "my"),
    ("nl", "Dutch", "nld_Latn", "nl"),
    ("pt", "Portuguese", "por_Latn", "pt"),
    ("ru", "Russian", "rus_Cyrl", "ru"),
    ("sw", "Swahili", "swh_Latn", "sw"),
    ("ta", "Tamil", "tam_Taml", "ta"),
    ("te", "Telugu", "tel_Telu", None),
    ("th", "Thai", "tha_Thai", "th"),
    ("tl", "Tagalog", "tgl_Latn", "tl"),
    ("tr", "Turkish", "tur_Latn", "tr"),
    ("ur", "Urdu", "urd_Arab", "ur"),
    ("vi", "Vietnamese", "vie_Latn", "vi"),
    ("yo", "Yoruba", "yor_Latn", "yo"),
    ("zh", "Chinese", "zho_Hans", "zh"),
]
_MASAKHANER2 = [
    ("bam", "Bambara", "bam_Latn", None),
    ("ewe", "Ewe", "ewe_Latn", None),
    ("fon", "Fon", "fon_Latn", None),
    ("hau", "Hausa", "hau_Latn", "ha"),
    ("ibo", "Igbo", "ibo_Latn", "ig"),
    ("kin", "Kinyarwanda", "kin_Latn", None),
    ("lug", "Luganda", "lug_Latn", "lg"),
    ("luo", "Luo", "luo_Latn", None),
    ("mos", "Mossi", "mos_Latn", None),
    ("nya", "Chichewa", "nya_Latn", None),
    ("sna", "Shona", "sna_Latn", None),
    ("swa", "Swahili", "swh_Latn", "sw"),
    ("tsn", "Setswana", "tsn_Latn", "tn"),
    ("twi", "Twi", "twi_Latn", None),
    ("wol", "Wolof", "wol_Latn", "wo"),
    ("xho", "Xhosa", "xho_Latn", "xh"),
    ("yor", "Yoruba", "yor_Latn", "yo"),
    ("zul", "Zulu", "zul_Latn", "zu"),
]

LANGUAGES: tuple[Language, ...] = tuple(
    [Language(c, n, nllb, m2m, "xtreme") for c, n, nllb, m2m in _XTREME]
    + [Language(c, n, nllb, m2m, "masakhaner2") for c, n, nllb, m2m in _MASAKHANER2]
)
ENGLISH = Language("en", "English", "eng_Latn", "en", "source")
_BY_CODE = {lang.code: lang for lang in LANGUAGES} | {"en": ENGLISH, "eng": ENGLISH}
_BY_NLLB: dict[str, Language] = {}
for _lang in (ENGLISH, *LANGUAGES):
    _BY_NLLB.setdefault(_lang.nllb, _lang)


def language(code: str) -> Language:
    """Look a language up by dataset code (``es``, ``hau``) or NLLB code (``spa_Latn``).

    An NLLB code outside the table is accepted as is (NLLB-200 has 200 languages).
    """
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code in _BY_NLLB:
        return _BY_NLLB[code]
    if len(code) == 8 and code[3] == "_":
        return Language(code[:3], code, code, None, "other")
    raise LabelBridgeError(
        f"unknown language {code!r}; give an NLLB-200 code such as spa_Latn or one of the paper's codes: {', '.join(sorted(_BY_CODE))}"
    )


# Scripts written without spaces between words: tokens are joined without spaces for MT.
NO_SPACE_SCRIPTS = ("Hans", "Hant", "Jpan", "Thai", "Mymr", "Khmr", "Laoo")


def detokenize(tokens: tuple[str, ...] | list[str], code: str) -> str:
    """Tokens back to text for translation: spaces between them, except in scripts like
    Chinese, Japanese or Thai where words are not separated by spaces."""
    return ("" if language(code).nllb.split("_")[-1] in NO_SPACE_SCRIPTS else " ").join(tokens)
