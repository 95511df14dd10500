"""Demo data: a registry that every app fills from its own ``demo.py``.

``palava/missions/demo.py`` provides the base (the fictional mission and one user per role)
with ``@demo_base``. Each feature app adds its data with::

    @demo_loader(order=200)
    def load_places(mission: Mission, users: dict[str, User], stdout: Output) -> None: ...

``users`` maps a role ("admin", "officer", ...) to the demo user holding it. Loaders run in
``order`` (then by name) and MUST be idempotent: ``palava demo`` runs them on every start, so a
loader finds what it created last time (by a natural key) and reuses it instead of adding a copy.
Writes go through services, as anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import module_has_submodule

if TYPE_CHECKING:
    from palava.accounts.models import User
    from palava.missions.models import Mission


class Output(Protocol):
    """Where loaders report progress: a text stream or a management command's ``stdout``."""

    def write(self, msg: str, /) -> object: ...


@dataclass(frozen=True)
class DemoSet:
    """What the base loader made: the mission, users by role, and the one shared password."""

    mission: Mission
    users: dict[str, User]
    password: str
    roles: dict[str, str] = field(default_factory=dict)  # username -> role label


DemoBase = Callable[[Output], DemoSet]
DemoLoader = Callable[["Mission", "dict[str, User]", Output], None]


@dataclass(frozen=True)
class _Registered:
    order: int
    name: str
    func: DemoLoader


_BASE: list[DemoBase] = []
_LOADERS: dict[str, _Registered] = {}
_discovered = False


def demo_base(func: DemoBase) -> DemoBase:
    """Register the one function that creates (or finds) the demo mission and users."""
    if _BASE and _BASE[0] is not func:
        raise ImproperlyConfigured("only one @demo_base function may be registered")
    _BASE[:] = [func]
    return func


def demo_loader(*, order: int) -> Callable[[DemoLoader], DemoLoader]:
    """Register an idempotent loader ``(mission, users, stdout) -> None``."""

    def register(func: DemoLoader) -> DemoLoader:
        name = f"{func.__module__}.{func.__qualname__}"
        _LOADERS[name] = _Registered(order=order, name=name, func=func)
        return func

    return register


def discover() -> None:
    """Import ``demo`` of every installed Palava app, so its loaders register."""
    global _discovered
    if _discovered:
        return
    for config in apps.get_app_configs():
        if config.name.startswith("palava.") and module_has_submodule(config.module, "demo"):
            import_module(f"{config.name}.demo")
    _discovered = True


def loaders() -> list[tuple[int, str]]:
    """(order, name) of every registered loader, in the order they run."""
    discover()
    return [(r.order, r.name) for r in sorted(_LOADERS.values(), key=lambda r: (r.order, r.name))]


@transaction.atomic
def demo_load(*, stdout: Output) -> DemoSet:
    """Create or reuse the demo mission and users, then run every loader, in one transaction."""
    discover()
    if not _BASE:
        raise ImproperlyConfigured("no @demo_base registered (palava.missions.demo missing?)")
    demo = _BASE[0](stdout)
    for registered in sorted(_LOADERS.values(), key=lambda r: (r.order, r.name)):
        registered.func(demo.mission, demo.users, stdout)
    return demo
