"""The ODK Collect / KoboCollect configuration QR code of a device log-in.

Collect's "Configure with QR code" reads base64(zlib(JSON)) where the JSON holds a ``general``
section (server URL, user name, password), an ``admin`` section (required, may be empty) and a
``project`` section (the name shown in Collect's project switcher). Keys left out are reset to
their defaults on the device. See https://docs.getodk.org/collect-import-export/.

The payload carries the device's secret in clear: it is built only for the once-only page and is
never stored or logged.
"""

from __future__ import annotations

import base64
import html
import json
import zlib

import qrcode
import qrcode.constants


def collect_settings_payload(
    *, server_url: str, username: str, password: str, project_name: str
) -> str:
    """The string a Collect settings QR code carries: base64(zlib(JSON))."""
    settings = {
        "general": {"server_url": server_url, "username": username, "password": password},
        "admin": {},
        "project": {"name": project_name},
    }
    raw = json.dumps(settings, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def qr_svg(data: str, *, label: str = "QR code", module_px: int = 4) -> str:
    """``data`` as an inline SVG QR code: white background, 4-module quiet zone, one path of
    horizontal runs (a few kilobytes, for slow links).

    The markup is built from module coordinates and the escaped ``label`` only, so it is safe
    to insert unescaped."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix)
    runs: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}.5h{x - start}")
            else:
                x += 1
    side = size * module_px
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" '
        f'viewBox="0 0 {size} {size}" shape-rendering="crispEdges" role="img" '
        f'aria-label="{html.escape(label, quote=True)}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path stroke="#000" stroke-width="1" d="{"".join(runs)}"/></svg>'
    )
