"""Export kinds of engagement, registered with :mod:`palava.core.exporters` on import.

``3w`` (projects by place, HXL, ``export_3w``), ``commitments`` (the ledger without confidential
fields, ``export_commitments``) and ``activities`` (``export_activities``).
"""

from __future__ import annotations

from palava.engagement import export_3w, export_activities, export_commitments

__all__ = ["export_3w", "export_activities", "export_commitments"]
