"""Small files for the engagement demo, generated in code: a one-page PDF and a CSV sheet.

Nothing is read from disk. The PDF is minimal but valid (one page, Helvetica, a correct
cross-reference table), so viewers and the upload type check (``%PDF-`` magic) accept it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PDF_TYPE = "application/pdf"
CSV_TYPE = "text/csv"


@dataclass(frozen=True)
class DemoFile:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _pdf_text(value: str) -> str:
    """A PDF string literal body: Latin-1 only, with ``\\``, ``(`` and ``)`` escaped."""
    safe = value.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(title: str, lines: Sequence[str]) -> bytes:
    """A one-page A4 PDF showing ``title`` and ``lines``."""
    text = ["BT", "/F1 16 Tf", "56 780 Td", f"({_pdf_text(title)}) Tj", "/F1 11 Tf", "0 -28 Td"]
    for line in lines:
        text += [f"({_pdf_text(line)}) Tj", "0 -16 Td"]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def pdf_file(filename: str, title: str, lines: Sequence[str]) -> DemoFile:
    return DemoFile(filename, PDF_TYPE, pdf_bytes(title, lines))


def csv_file(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> DemoFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return DemoFile(filename, CSV_TYPE, buffer.getvalue().encode("utf-8"))
