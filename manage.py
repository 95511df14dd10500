#!/usr/bin/env python
"""Django's command-line utility; ``palava`` is the installed equivalent."""

from palava.__main__ import main

if __name__ == "__main__":
    main()
