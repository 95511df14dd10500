"""Active ISO 4217 currency codes (list of 2024), for checking a project's budget currency.

Kept as a constant (no extra dependency); funds and precious-metal codes (XAU, XDR, ...) are
left out on purpose: a project budget is in a currency people pay with.
"""

from __future__ import annotations

_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
    ZWG
"""
ISO_4217_CODES: frozenset[str] = frozenset(_CODES.split())

COMMON_CURRENCIES: tuple[str, ...] = ("USD", "EUR", "XAF", "XOF", "CDF", "SSP", "SDG", "LYD")
"""Offered first in the project form's suggestions."""


def currency_valid(code: str) -> bool:
    return code in ISO_4217_CODES
