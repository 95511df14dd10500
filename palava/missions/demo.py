"""The base of the demo: a fictional mission and one user per role, sharing one password.

Everything here is invented. The password is printed by ``palava demo`` and documented in the
README: demo data directories must never hold real data.
"""

from __future__ import annotations

from palava.accounts.models import User
from palava.accounts.services import user_create
from palava.core.demo import DemoSet, Output, demo_base
from palava.missions.models import Membership, Mission, Role
from palava.missions.services import membership_set, mission_create

DEMO_ACTOR = "system:demo"
DEMO_MISSION_SLUG = "demo"
DEMO_PASSWORD = "palava-demo-2026"  # noqa: S105 - public by design, printed for the demo log-ins

# One user per role; the user name is the role.
DEMO_ROLES: tuple[str, ...] = (
    Role.ADMIN,
    Role.MANAGER,
    Role.OFFICER,
    Role.LIAISON,
    Role.ANALYST,
    Role.PARTNER,
    Role.VIEWER,
)


def demo_mission_ensure(*, stdout: Output) -> Mission:
    mission = Mission.objects.filter(slug=DEMO_MISSION_SLUG).first()
    if mission is not None:
        stdout.write(f"reusing mission {mission.slug!r}\n")
        return mission
    mission = mission_create(
        actor=DEMO_ACTOR,
        slug=DEMO_MISSION_SLUG,
        name="Demo Mission (fictional)",
        country="COD",
        languages=["fr", "en", "ar"],
        time_zone="Africa/Lubumbashi",
        require_two_factor=False,
        is_demo=True,
    )
    stdout.write(f"created mission {mission.slug!r}\n")
    return mission


def demo_user_ensure(*, mission: Mission, role: str) -> User:
    user = User.objects.filter(username=role).first()
    if user is None:
        user = user_create(
            actor=DEMO_ACTOR,
            username=role,
            password=DEMO_PASSWORD,
            email=f"{role}@demo.invalid",
            first_name=str(Role(role).label),
            last_name="(demo)",
        )
    current = Membership.objects.filter(mission=mission, user=user).first()
    if current is None or current.role != role or not current.is_active:
        membership_set(actor=DEMO_ACTOR, mission=mission, user=user, role=role)
    return user


@demo_base
def demo_base_load(stdout: Output) -> DemoSet:
    mission = demo_mission_ensure(stdout=stdout)
    users = {role: demo_user_ensure(mission=mission, role=role) for role in DEMO_ROLES}
    return DemoSet(
        mission=mission,
        users=users,
        password=DEMO_PASSWORD,
        roles={user.username: str(Role(role).label) for role, user in users.items()},
    )
