"""False positives of the shipped detector on human expository writing of genres it never saw:
technical handbooks, plain-language help pages and a computing encyclopedia, in English and in
up to 30 other languages (the language rule), all written before ChatGPT (autumn 2022).

    OMP_NUM_THREADS=1 .venv/bin/python bench/detection_human_docs.py [--per-language 60]

The texts come from Debian documentation packages, pinned by version and SHA-256 and
downloaded from the Debian archive into --cache-dir (they are evaluation data only: no model
trains on them):
- `debian-handbook` 11.20220922 (Hertzog & Mas, *The Debian Administrator's Handbook*, 2022;
  GPL-2+ or CC BY-SA 3.0): a book of technical explanation, and its human translations;
- `gnome-user-docs` 43.0-2 (GNOME Help, 2022; CC BY-SA 3.0): short plain-language help topics,
  the kind of "public information" text a school also reads, and their translations;
- `dict-foldoc` 20230119-1 (the Free On-line Dictionary of Computing, Denis Howe and
  contributors, entries written 1985-2022; GFDL 1.1+): encyclopedic entries of 100-500 words;
- since session 14, prose that teaches, English only: `r-doc-html` 4.2.2.20221110-2 (the R
  manuals "An Introduction to R", the R FAQ, "R Language Definition", "R Data Import/Export",
  R Core Team, 2022; GPL-2+), `python3.11-doc` 3.11.2-6+deb12u8 (the Python tutorial, HOWTOs
  and FAQ, written 1990s-2022, released February 2023; PSF-2.0) and `octave-doc` 7.3.0-2 (the
  GNU Octave manual, J. W. Eaton et al., 2022; GPL-3+): the textbook-like explanations that
  held-out runs flag most (L2R's "educational material");
- since session 15, research papers: the vignettes of 13 R packages (`r-cran-sandwich`, `zoo`,
  `lme4`, `pscl`, `strucchange`, `vcd`, `coin`, `party`, `aer`, `lmtest`, `mvtnorm`,
  `survival`, `expm`; GPL-2 / GPL-2+ / GPL, versions pinned below), most of them papers of the
  Journal of Statistical Software (2002-2020) or technical reports (T. Therneau's survival
  notes), abstracts included: the academic prose that held-out runs flag most of all, by
  academics rather than students. Read from their LaTeX (Sweave) sources: code chunks,
  displayed maths, floats, lists and paragraphs with more than three formulas are dropped,
  citations become "Zeileis (2004)" / "(Zeileis 2004)", short inline formulas plain text.

Passages are runs of prose paragraphs (no code, tables or lists) of 120-380 words within one
section; FOLDOC entries are single texts. Every passage goes through `classify` as the API runs
it: an AI or Hybrid label is a false positive; a text in another language must come back
`unsupported_language` (the API answers it 422), never as a label.
The .deb files are read with the standard library (`ar` members, then `tarfile`): six fixed
archives do not warrant a dependency.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import random
import re
import tarfile
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np

from aaie.engine.detection import classify
from aaie.engine.language import identify_language

ARCHIVE = "https://deb.debian.org/debian/"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    pool_path: str
    sha256: str
    licence: str


PACKAGES = (
    Package(
        "debian-handbook", "11.20220922",
        "pool/main/d/debian-handbook/debian-handbook_11.20220922_all.deb",
        "3d5dbeac1f1afc9c094eab9d0f701f6ecff99c4927d5a4794cf6c85678134faa",
        "GPL-2+ or CC BY-SA 3.0",
    ),
    Package(
        "gnome-user-docs", "43.0-2",
        "pool/main/g/gnome-user-docs/gnome-user-docs_43.0-2_all.deb",
        "0d635a840747958ca84da778b40d341f1155603851f922c9a171f5a181d6a39f",
        "CC BY-SA 3.0",
    ),
    Package(
        "dict-foldoc", "20230119-1",
        "pool/main/d/dict-foldoc/dict-foldoc_20230119-1_all.deb",
        "745cbedb55c2da609cc88ee0284e9d11a67a11ae3709daf7bad0e895ac3294c3",
        "GFDL 1.1 or later",
    ),
    # Session 14: manuals and tutorials that teach (the "educational material" genre held-out
    # runs flag most), English only.
    Package(
        "r-doc-html", "4.2.2.20221110-2",
        "pool/main/r/r-base/r-doc-html_4.2.2.20221110-2_all.deb",
        "2c615dd386993a440b80fd4e9060318386e31fbe47f5be65f295f5fb34002c5c",
        "GPL-2+",
    ),
    Package(
        "python3.11-doc", "3.11.2-6+deb12u8",
        "pool/main/p/python3.11/python3.11-doc_3.11.2-6+deb12u8_all.deb",
        "50eb63e7f636c4281e9ce1b8f10386f1def42159eddce34fc1f41c46261df71b",
        "PSF-2.0",
    ),
    Package(
        "octave-doc", "7.3.0-2",
        "pool/main/o/octave/octave-doc_7.3.0-2_all.deb",
        "b27897cc7e3d688daa5cb8f8d1ea47077f3fbd205ce32e22522200ff0c1eadd5",
        "GPL-3+",
    ),
)  # fmt: skip
# Research papers (since session 15): the Sweave sources of R packages' vignettes, most of them
# papers of the Journal of Statistical Software or technical reports; R package name first.
RESEARCH_PACKAGES = (
    ("sandwich", Package(
        "r-cran-sandwich", "3.0-2-1",
        "pool/main/s/sandwich/r-cran-sandwich_3.0-2-1_all.deb",
        "a90e7d3c69c70a6d73e4bc63d1f20eae3b4a73866d5266246dd5b3d980c60d79",
        "GPL-2",
    )),
    ("zoo", Package(
        "r-cran-zoo", "1.8-11-1",
        "pool/main/r/r-zoo/r-cran-zoo_1.8-11-1_amd64.deb",
        "81f27bbee835d9d44d2a410211c813d2da6c2d71f1e37d71b019ab259e182b9b",
        "GPL-2+",
    )),
    ("lme4", Package(
        "r-cran-lme4", "1.1-31-1",
        "pool/main/l/lme4/r-cran-lme4_1.1-31-1_amd64.deb",
        "232c90c0504309ee64749af8ca8359e999a00e6dc0c1abf697640f1c16ecb4aa",
        "GPL",
    )),
    ("pscl", Package(
        "r-cran-pscl", "1.5.5-1+b1",
        "pool/main/r/r-cran-pscl/r-cran-pscl_1.5.5-1+b1_amd64.deb",
        "646b2c6c04fc385f50efe9709f0ef64302fe7e07bb1953e424fb65e8bb43ac47",
        "GPL-2",
    )),
    ("strucchange", Package(
        "r-cran-strucchange", "1.5-3-1",
        "pool/main/s/strucchange/r-cran-strucchange_1.5-3-1_amd64.deb",
        "0be3f44609be4e90be3f295880dbcaebf57e5a918b68eb11f18c0900b2a4874d",
        "GPL",
    )),
    ("vcd", Package(
        "r-cran-vcd", "1:1.4-11-1",
        "pool/main/r/r-cran-vcd/r-cran-vcd_1.4-11-1_all.deb",
        "959639853b06a9056b4494e145bf84394a329805645e80c4384091323b6c6ae4",
        "GPL-2",
    )),
    ("coin", Package(
        "r-cran-coin", "1.4-2-1+b1",
        "pool/main/r/r-cran-coin/r-cran-coin_1.4-2-1+b1_amd64.deb",
        "391bda13701acba6329f821cfde3571827bd7a4cff91b66511945f1c9e7fa9aa",
        "GPL-2",
    )),
    ("party", Package(
        "r-cran-party", "1.3-11-1",
        "pool/main/r/r-cran-party/r-cran-party_1.3-11-1_amd64.deb",
        "ecca5564178b27b54228a5edace4d2b42493bc8635b251826cee4bd5bd1b7457",
        "GPL-2",
    )),
    ("AER", Package(
        "r-cran-aer", "1.2-10-1",
        "pool/main/r/r-cran-aer/r-cran-aer_1.2-10-1_all.deb",
        "c75319e132fbb7e3d002ef6c2933507046c66877bea8d5029e599757ae36c709",
        "GPL-2+",
    )),
    ("lmtest", Package(
        "r-cran-lmtest", "0.9.40-1",
        "pool/main/l/lmtest/r-cran-lmtest_0.9.40-1_amd64.deb",
        "ce2a709e7bb917f2b435314038e69ac8d32d71426f91c01b0332cb39b5020bf7",
        "GPL",
    )),
    ("mvtnorm", Package(
        "r-cran-mvtnorm", "1.1-3-1+b1",
        "pool/main/m/mvtnorm/r-cran-mvtnorm_1.1-3-1+b1_amd64.deb",
        "12e5917f2e9514ba842315c9fa3fabfe6beed91b2113e5cbee3b2eba7e4cab7d",
        "GPL-2",
    )),
    ("survival", Package(
        "r-cran-survival", "3.5-3-1",
        "pool/main/s/survival/r-cran-survival_3.5-3-1_amd64.deb",
        "f7b474e37620b54bd0112b3847bbad0a6b75b9c2121d6936548dd74ebd4003d5",
        "GPL-2",
    )),
    ("expm", Package(
        "r-cran-expm", "0.999-7-1",
        "pool/main/r/r-cran-expm/r-cran-expm_0.999-7-1_amd64.deb",
        "47a7902e9cf140de7e7efe9eeedf36029fef8e083db1b471f387e95ede3630ba",
        "GPL-2+",
    )),
)  # fmt: skip
SKIP_ENVS = (
    "equation",
    "eqnarray",
    "align",
    "gather",
    "multline",
    "displaymath",
    "figure",
    "table",
    "tabular",
    "verbatim",
    "Schunk",
    "Sinput",
    "Soutput",
    "Code",
    "CodeChunk",
    "CodeInput",
    "CodeOutput",
    "itemize",
    "enumerate",
    "description",
    "thebibliography",
    "center",
    "array",
    "minipage",
    "knitrout",
    "alltt",
    "lstlisting",
    "tikzpicture",
)
TEXT_COMMANDS = (
    "pkg",
    "code",
    "proglang",
    "emph",
    "textit",
    "textbf",
    "texttt",
    "fct",
    "file",
    "class",
    "dfn",
    "samp",
    "textsc",
    "textrm",
    "textsf",
    "mbox",
    "hbox",
    "underline",
    "strong",
    "email",
    "url",
    "Rpackage",
    "Rfunction",
    "Robject",
    "Rclass",
    "var",
    "command",
    "env",
    "textup",
    "textnormal",
)
DROP_COMMANDS = (
    "label",
    "footnote",
    "index",
    "vspace",
    "hspace",
    "SweaveOpts",
    "setkeys",
    "bibliographystyle",
    "bibliography",
    "newpage",
    "clearpage",
    "noindent",
)


R_MANUALS = ("R-intro.html", "R-FAQ.html", "R-lang.html", "R-data.html")
PYTHON_TEACHING = ("tutorial", "howto", "faq")  # not the library reference: API listings
SEED = 17
MIN_WORDS, MAX_WORDS = 120, 380
MIN_PASSAGES = 20  # a language with fewer translated passages is not reported
# Markup whose text is not prose (code, commands, tables, navigation).
NOT_PROSE = {"pre", "code", "table", "script", "style", "nav", "screen", "synopsis", "cmd"}
HEADINGS = {"h1", "h2", "h3", "h4", "title"}


def fetch(package: Package, cache_dir: Path) -> dict[str, bytes]:
    """The files of the package's data archive by path, downloading the pinned .deb once."""
    deb = cache_dir / Path(package.pool_path).name
    if not deb.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(ARCHIVE + package.pool_path, timeout=120) as response:
            deb.write_bytes(response.read())
    blob = deb.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != package.sha256:
        raise SystemExit(f"{deb}: SHA-256 {digest}, expected {package.sha256}")
    data = next(body for name, body in ar_members(blob) if name.startswith("data.tar"))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {
            m.name.removeprefix("./"): tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def ar_members(blob: bytes) -> Iterator[tuple[str, bytes]]:
    """Members of a Unix `ar` archive (a .deb is one): 60-byte headers, 2-byte aligned."""
    assert blob.startswith(b"!<arch>\n"), "not an ar archive"
    pos = 8
    while pos + 60 <= len(blob):
        header = blob[pos : pos + 60]
        name, size = header[:16].decode().strip().rstrip("/"), int(header[48:58])
        yield name, blob[pos + 60 : pos + 60 + size]
        pos += 60 + size + size % 2


class Paragraphs(HTMLParser):
    """Text of paragraphs (`<p>`, or DocBook's `<div class="para">`) outside code and tables, in
    order; None marks a heading (a section break)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str | None] = []
        self.buf: list[str] | None = None
        self.skip = self.div_depth = 0
        self.para_div = -1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in NOT_PROSE:
            self.skip += 1
            if self.buf is not None:  # inline code: the paragraph is not plain prose
                self.buf.append(" \x00 ")
        elif tag in HEADINGS:
            self.out.append(None)
        elif tag == "p" and not self.skip:
            self.buf = []
        if tag == "div":
            self.div_depth += 1
            if ("class", "para") in attrs and self.buf is None and not self.skip:
                self.buf, self.para_div = [], self.div_depth

    def handle_endtag(self, tag: str) -> None:
        if tag in NOT_PROSE:
            self.skip = max(0, self.skip - 1)
        elif tag == "p" and self.para_div < 0:
            self._close()
        elif tag == "div":
            if self.div_depth == self.para_div:
                self._close()
                self.para_div = -1
            self.div_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.buf is not None and not self.skip:
            self.buf.append(data)

    def _close(self) -> None:
        if self.buf is not None:
            self.out.append(" ".join("".join(self.buf).split()))
        self.buf = None


def is_prose(paragraph: str) -> bool:
    """A paragraph of running sentences: no inline code, file paths or markup, ends a sentence."""
    words = paragraph.split()
    if len(words) < 12 or "\x00" in paragraph:
        return False
    odd = sum(bool(re.search(r"[_/=<>{}$\\]|\(\)|::", w)) for w in words)
    return odd / len(words) < 0.03 and paragraph.rstrip()[-1:] in ".!?\"')»”"


def passages(paragraphs: list[str | None]) -> Iterator[str]:
    """Runs of consecutive prose paragraphs of one section, MIN_WORDS-MAX_WORDS words each."""
    run: list[str] = []
    for p in [*paragraphs, None]:
        words = sum(len(x.split()) for x in run)
        if p is None or not is_prose(p) or (run and words + len(p.split()) > MAX_WORDS):
            if words >= MIN_WORDS:
                yield "\n\n".join(run)
            run = []
        if p is not None and is_prose(p):
            run.append(p)


def html_passages(
    files: dict[str, bytes], folder: str, suffix: str, english: str
) -> dict[str, list[str]]:
    """Passages per language of the pages under `folder`/<language>/... ending in `suffix`.
    A translation leaves the paragraphs nobody translated in English: a passage of another
    language holding any paragraph of the `english` pages is dropped, so every passage of a
    language is a human translation, not the original."""
    paragraphs: dict[str, list[str | None]] = defaultdict(list)
    for path in sorted(files):
        if path.startswith(folder) and path.endswith(suffix):
            paragraphs[path[len(folder) :].split("/")[0]] += page_paragraphs(files[path])
    original = set(paragraphs[english]) - {None}
    return {
        language: [
            text
            for text in passages(found)
            if language == english or not original.intersection(text.split("\n\n"))
        ]
        for language, found in paragraphs.items()
    }


def foldoc_entries(files: dict[str, bytes]) -> list[str]:
    """FOLDOC entries of 100-500 words, cross-reference braces and edit dates removed."""
    raw = gzip.decompress(files["usr/share/dictd/foldoc.dict.dz"]).decode("utf-8")
    out = []
    for entry in re.split(r"\n(?=\S)", raw):
        body = " ".join(line.strip() for line in entry.split("\n")[1:])
        body = re.sub(r"\{([^}]*)\}", r"\1", body)
        body = re.sub(r"\(\d{4}-\d{2}-\d{2}\)|<[^>]*>", "", body)
        body = " ".join(body.split())
        if 100 <= len(body.split()) <= 500 and "http" not in body:
            out.append(body)
    return out


def braced(text: str, start: int) -> tuple[str, int]:
    """The balanced {...} group opening at text[start] == "{": (content, index after it)."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0) if text[i - 1 : i] != "\\" else 0
        if depth == 0:
            return text[start + 1 : i], i + 1
    return text[start + 1 :], len(text)


def replace_command(text: str, name: str, render: Callable[[str], str]) -> str:
    """Every `\\name[opt]{arg}` in `text` replaced by `render(arg)` (balanced braces)."""
    out, pos = [], 0
    pattern = re.compile(r"\\" + name + r"\*?(\[[^\]]*\])*\s*\{")
    while m := pattern.search(text, pos):
        arg, end = braced(text, m.end() - 1)
        out += [text[pos : m.start()], render(arg)]
        pos = end
    return "".join(out) + text[pos:]


def cite_words(keys: str) -> list[str]:
    """ "Zeileis (2004)" for each citation key naming an author and a year."""
    words = []
    for key in keys.split(","):
        name = re.findall(r"[A-Z][a-z]+", key)
        year = re.search(r"(1[89]|20)\d\d", key)
        if name and year:
            words.append(f"{name[0]} ({year.group(0)})")
    return words


def cite_textual(keys: str) -> str:
    return " and ".join(cite_words(keys)) or "earlier work"


def cite_parenthetical(keys: str) -> str:
    found = [w.replace(" (", " ").rstrip(")") for w in cite_words(keys)]
    return f"({'; '.join(found)})" if found else ""


def clean_math(m: re.Match[str]) -> str:
    """A short inline formula as plain letters: `$\\hat\\beta_i$` -> "hatbetai"."""
    inner = re.sub(r"\\([A-Za-z]+)", r"\1", m.group(1))
    return re.sub(r"[{}^_]", "", inner)


def clean_paragraph(p: str) -> str:
    """A LaTeX paragraph as plain prose; "" when markup would be left in it."""
    for name in ("citet", "cite", "citeauthor", "citeA", "textcite"):
        p = replace_command(p, name, cite_textual)
    for name in ("citep", "parencite"):
        p = replace_command(p, name, cite_parenthetical)
    p = replace_command(p, "citeyear", lambda k: " ".join(re.findall(r"(?:1[89]|20)\d\d", k)[:1]))
    for name in DROP_COMMANDS:
        p = replace_command(p, name, lambda a: "")
    for name in ("ref", "eqref", "autoref", "pageref"):  # "Table~\ref{t}" -> "Table 1"
        p = replace_command(p, name, lambda a: "1")
    for name in TEXT_COMMANDS:
        p = replace_command(p, name, lambda a: a)
    p = re.sub(r"\\verb(.)(.*?)\1", r"\2", p)
    p = re.sub(r"\\Sexpr\{[^}]*\}", "", p)
    if len(re.findall(r"(?<!\\)\$", p)) > 6:  # more than three inline formulas: not prose
        return ""
    p = re.sub(r"(?<!\\)\$([^$]*)\$", clean_math, p)
    for a, b in (
        ("~", " "),
        ("``", "\u201c"),
        ("''", "\u201d"),
        ("\\%", "%"),
        ("\\&", "&"),
        ("---", "\u2014"),
        ("--", "\u2013"),
        ("\\\\", " "),
        ("\\ldots", "..."),
        ("\\dots", "..."),
        ("\\,", " "),
        ("\\ ", " "),
        ("\\@", ""),
        ("\\/", ""),
        ('\\"a', "ä"),
        ('\\"o', "ö"),
        ('\\"u', "ü"),
        ("{}", ""),
    ):
        p = p.replace(a, b)
    p = " ".join(p.split())
    return "" if re.search(r"[\\{}$]", p) else p


def rnw_paragraphs(source: str) -> list[str | None]:
    """The prose paragraphs of a Sweave (LaTeX) document, None at each section break: the
    abstract, then the body without code chunks, displayed maths, floats, lists or citations
    markup. A few rules rather than a LaTeX library (pylatexenc): they read 13 fixed documents
    for a bench, a converter would still leave the citation keys, Sweave chunks and maths to
    decide, and any paragraph with markup left in it is dropped rather than guessed at."""
    text = re.sub(r"(?<!\\)%.*", "", source)
    text = re.sub(r"^<<.*?>>=\n.*?^@", "\n\n", text, flags=re.S | re.M)
    abstract = ""
    if m := re.search(r"\\Abstract\s*\{", text):
        abstract = braced(text, m.end() - 1)[0]
    elif m := re.search(r"\\begin\{abstract\}(.*?)\\end\{abstract\}", text, re.S):
        abstract = m.group(1)
    body = text.split("\\begin{document}", 1)[-1].split("\\end{document}", 1)[0]
    body = re.sub(r"\\begin\{abstract\}.*?\\end\{abstract\}", "", body, flags=re.S)
    for env in SKIP_ENVS:
        env_block = r"\\begin\{" + env + r"\*?\}.*?\\end\{" + env + r"\*?\}"
        body = re.sub(env_block, "\n\n", body, flags=re.S)
    body = re.sub(r"\\\[.*?\\\]|\$\$.*?\$\$", "\n\n", body, flags=re.S)
    body = re.sub(
        r"\\(?:sub)*section\*?\{[^}]*\}|\\paragraph\*?\{[^}]*\}|\\maketitle|\\appendix",
        "\n\n\x00\n\n",
        body,
    )
    out: list[str | None] = []
    for block in [*re.split(r"\n\s*\n", abstract), None, *re.split(r"\n\s*\n", body)]:
        if block is None or block.strip() == "\x00":
            out.append(None)
        elif p := clean_paragraph(block):
            out.append(p)
    return [*out, None]


def corpora(cache_dir: Path) -> dict[str, dict[str, list[str]]]:
    """{corpus: {language: passages}}; language codes as the packages name their folders."""
    handbook, gnome, foldoc, r_doc, python_doc, octave_doc = (fetch(p, cache_dir) for p in PACKAGES)
    return {
        "debian_handbook": html_passages(
            handbook, "usr/share/doc/debian-handbook/html/", ".html", "en-US"
        ),
        "gnome_help": html_passages(gnome, "usr/share/help/", ".page", "C"),
        "foldoc": {"en": foldoc_entries(foldoc)},
        "r_manuals": {"en": page_passages(r_doc, lambda path: path.endswith(R_MANUALS))},
        "python_tutorial_howto_faq": {
            "en": page_passages(
                python_doc,
                lambda path: (
                    path.startswith("usr/share/doc/python3.11/html/")
                    and path.split("/")[5] in PYTHON_TEACHING
                ),
            )
        },
        "octave_manual": {
            "en": page_passages(
                octave_doc, lambda path: path.startswith("usr/share/doc/octave/octave.html/")
            )
        },
        "r_research_papers": {"en": research_passages(cache_dir)},
    }


def research_passages(cache_dir: Path) -> list[str]:
    """Passages of every vignette's Sweave source (`doc/*.Rnw`) in RESEARCH_PACKAGES."""
    out: list[str] = []
    for _, package in RESEARCH_PACKAGES:
        files = fetch(package, cache_dir)
        for path in sorted(files):
            if "/doc/" in path and path.endswith(".Rnw"):
                out += passages(rnw_paragraphs(files[path].decode("utf-8", errors="replace")))
    return out


def page_passages(files: dict[str, bytes], wanted: Callable[[str], bool]) -> list[str]:
    """Passages of the English HTML pages whose path is `wanted`."""
    out: list[str] = []
    for path in sorted(files):
        if wanted(path) and path.endswith(".html"):
            out += passages(page_paragraphs(files[path]))
    return out


def page_paragraphs(page: bytes) -> list[str | None]:
    """A page's paragraphs, closed by a section break."""
    parser = Paragraphs()
    parser.feed(page.decode("utf-8", errors="replace"))
    return [*parser.out, None]


def is_english(language: str) -> bool:
    return language in ("en", "en-US", "C")


def measure(texts: list[str]) -> dict[str, Any]:
    results = [classify(t) for t in texts]
    scores = np.array([r.ai_score for r in results])
    return {
        "n": len(results),
        "labelled_ai_or_hybrid": round(float(np.mean([r.label != "Human" for r in results])), 4),
        "unsupported_language": round(float(np.mean([r.unsupported_language for r in results])), 4),
        "insufficient_text": round(float(np.mean([r.insufficient_text for r in results])), 4),
        "ai_score_p50_p95": [round(float(np.percentile(scores, q)), 1) for q in (50, 95)],
        "nearest_population": dict(Counter(r.fpr_population for r in results).most_common(3)),
        "flagged": [
            {"text": t[:160], "label": r.label, "ai_score": r.ai_score}
            for t, r in zip(texts, results, strict=True)
            if r.label != "Human"
        ],
    }


def refused_dev_texts(data_dir: Path) -> dict[str, Any]:
    """The language rule on every text of the DEV sets (English but for a few strays): how many
    it refuses, and which."""
    rows: list[dict[str, Any]] = []
    essays = [data_dir / "score" / "asap_dev.jsonl", data_dir / "score" / "ellipse_dev.jsonl"]
    for path in [*sorted((data_dir / "detect").glob("*.jsonl*")), *essays]:
        with gzip.open(path, "rt") if path.suffix == ".gz" else path.open() as fh:
            rows += [json.loads(line) for line in fh]
    refused = [r for r in rows if not identify_language(str(r["text"])).supported]
    return {
        "n": len(rows),
        "refused": [{"id": r["id"], "text": str(r["text"])[:80]} for r in refused],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache-dir", type=Path, default=Path("/tmp/human-docs"))
    ap.add_argument("--per-language", type=int, default=60, help="passages per other language")
    ap.add_argument("--out", type=Path, default=Path("/tmp/human_docs.json"))
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--corpus", action="append", help="measure only this corpus (repeatable)")
    args = ap.parse_args()
    rng = random.Random(SEED)
    packages = [*PACKAGES, *(package for _, package in RESEARCH_PACKAGES)]
    out: dict[str, Any] = {"packages": [p.__dict__ for p in packages], "results": {}}
    started = time.perf_counter()
    for corpus, by_language in corpora(args.cache_dir).items():
        if args.corpus and corpus not in args.corpus:
            continue
        for language, texts in sorted(by_language.items()):
            if not is_english(language):
                texts = rng.sample(texts, min(args.per_language, len(texts)))
            if len(texts) >= MIN_PASSAGES:
                out["results"][f"{corpus}/{language}"] = measure(texts)
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["dev_texts_refused"] = refused_dev_texts(args.data_dir)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    print_tables(out["results"])
    dev = out["dev_texts_refused"]
    print(f"\nDEV texts refused by the language rule: {len(dev['refused'])} of {dev['n']}")
    for r in dev["refused"]:
        print(f"  {r['id']}: {r['text']!r}")


def print_tables(results: dict[str, dict[str, Any]]) -> None:
    print("| corpus | language | passages | labelled AI or Hybrid | unsupported language |")
    print("| --- | --- | --- | --- | --- |")
    for key, r in results.items():
        corpus, language = key.split("/")
        print(
            f"| {corpus} | {language} | {r['n']} | {100 * r['labelled_ai_or_hybrid']:.1f} % | "
            f"{100 * r['unsupported_language']:.1f} % |"
        )


if __name__ == "__main__":
    main()
