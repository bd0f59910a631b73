"""Read the text of a letter of authority the portal generated, without a PDF library: the letter
is built uncompressed (porting.loa.loa_pdf(compress=False)) or its compressed streams are inflated,
and the strings each page shows are joined."""

import base64
import re
import zlib

STRING_SHOWN = re.compile(rb"\(((?:\\.|[^\\)])*)\) Tj")
STREAM = re.compile(rb"\bstream\r?\n(.*?)\s*endstream", re.DOTALL)


def _unescape(raw: bytes) -> str:
    def octal(match: re.Match) -> bytes:
        return bytes([int(match.group(1), 8)])

    raw = re.sub(rb"\\([0-7]{1,3})", octal, raw)
    raw = re.sub(rb"\\(.)", rb"\1", raw)
    return raw.decode("cp1252")


def pdf_text(pdf: bytes) -> str:
    """Every string the pages show, in order, one space between them (so a wrapped line reads on)."""
    contents = []
    for stream in STREAM.findall(pdf):
        try:
            # ReportLab's compressed pages: ASCII85 over Flate.
            data = base64.a85decode(stream.strip()[:-2]) if stream.strip().endswith(b"~>") else stream
            contents.append(zlib.decompress(data))
        except (ValueError, zlib.error):
            contents.append(stream)
    return " ".join(_unescape(s) for content in contents for s in STRING_SHOWN.findall(content))


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))
