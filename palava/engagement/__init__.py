"""Engagement: activities with communities, inclusion, the commitments ledger, partners and 3W.

See ``docs/adr/0009-engagement-commitments-partners.md``.
"""
