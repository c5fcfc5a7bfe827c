"""The entitlement keys of issue 15: `groups` (identity provider groups -> LOBs, with Cognito their
members), `identity.groupsClaim`, users without a `lob` (and with one, as before), and the LOB
stack's `justInTimeProfiles`; each bad value named with file and key."""

from __future__ import annotations

from components.stacks import cognito_groups

GROUPS = "studio-access:groups"


def _groups(project, *groups):
    project.edit("shared", lambda c: c.update({GROUPS: list(groups)}))


def _msg(project, key=GROUPS) -> str:
    """Every problem of ``key``, one a line."""
    found = [m for _, k, m in project.problems("shared") if k == key]
    assert found, project.problems("shared")
    return "\n".join(found)


def test_a_user_row_with_lob_still_works_and_one_without_lob_is_allowed(project):
    project.edit("shared", lambda c: c["studio-access:users"][1].pop("lob"))
    _groups(project, {"name": "studio-lob-b", "lobs": ["lob-b"], "members": ["user-lob-b"]})
    cfg = project.load("shared").config
    assert [(u.username, u.lob) for u in cfg.users] == [("user-lob-a", "lob-a"), ("user-lob-b", None)]
    assert cfg.entitled_lobs(cfg.users[1]) == {"lob-b": "group studio-lob-b"}
    assert cfg.entitled_lobs(cfg.users[0]) == {"lob-a": "users entry"}


def test_groups_map_to_lobs_and_their_members_are_cognito_users(project):
    project.edit("lob-b", lambda c: c["studio-access:lob"].update(justInTimeProfiles=True))
    _groups(
        project,
        {"name": "studio-all", "lobs": ["lob-a", "lob-b"], "members": ["User-Lob-A"]},
        {"name": "studio-lob-b", "lobs": ["lob-b"]},
    )
    cfg = project.load("shared").config
    assert cfg.group_lobs() == {"studio-all": ("lob-a", "lob-b"), "studio-lob-b": ("lob-b",)}
    assert cfg.groups_claim == "cognito:groups"
    # a member is spelled as its users entry spells it (Cognito usernames are case-insensitive)
    assert [g.members for g in cognito_groups(cfg)] == [("user-lob-a",), ()]


def test_a_group_of_an_unknown_lob(project):
    _groups(project, {"name": "g", "lobs": ["lob-z"]})
    assert _msg(project).startswith("group g maps to LOB lob-z, which lobs does not list (lob-a, lob-b)")


def test_duplicate_groups_lobs_and_members(project):
    _groups(
        project,
        {"name": "g", "lobs": ["lob-a", "lob-a"], "members": ["user-lob-a", "USER-LOB-A"]},
        {"name": "g", "lobs": ["lob-b"]},
    )
    msg = _msg(project)
    assert "duplicate group: g" in msg
    assert "group g: duplicate LOB lob-a" in msg and "group g: duplicate member user-lob-a" in msg


def test_a_member_must_be_a_user(project):
    _groups(project, {"name": "g", "lobs": ["lob-a"], "members": ["carol"]})
    assert "group g: member carol is not in users" in _msg(project)


def test_a_group_needs_a_lob(project):
    _groups(project, {"name": "g", "lobs": []})
    assert any(k.startswith(f"{GROUPS}[0].lobs") for _, k, _m in project.problems("shared"))


def test_cognito_group_names_are_cognitos(project):
    _groups(project, {"name": "Data Science", "lobs": ["lob-a"]})
    assert "a Cognito group this stack creates is named with letters, digits and _.+=@-" in _msg(project)


def test_oidc_groups_are_the_issuers_names_without_members(project):
    oidc = {"provider": "oidc", "issuer": "https://idp.example.com", "audience": "api://studio", "usernameClaim": "sub"}
    project.edit("shared", lambda c: c.update({"studio-access:identity": oidc}))
    _groups(project, {"name": "Data Science / LOB A", "lobs": ["lob-a"]})
    cfg = project.load("shared").config
    assert cfg.groups_claim == "groups" and cfg.group_lobs() == {"Data Science / LOB A": ("lob-a",)}
    project.edit("shared", lambda c: c["studio-access:identity"].update(groupsClaim="roles"))
    assert project.load("shared").config.groups_claim == "roles"
    _groups(project, {"name": "g", "lobs": ["lob-a"], "members": ["user-lob-a"]})
    assert "group g: members only with provider cognito" in _msg(project)


def test_groups_claim_is_for_oidc_only(project):
    project.edit("shared", lambda c: c["studio-access:identity"].update(groupsClaim="groups"))
    msg = _msg(project, "studio-access:identity")
    assert msg.startswith("groupsClaim: only for provider oidc")
    project.edit("shared", lambda c: c["studio-access:identity"].update(groupsClaim="cognito:groups"))
    assert project.load("shared").config.groups_claim == "cognito:groups"


def test_a_group_name_with_control_characters_or_too_long(project):
    for name in ("tab\there", "x" * 257, ""):
        _groups(project, {"name": name, "lobs": ["lob-a"]})
        assert any(k == f"{GROUPS}[0].name" for _, k, _m in project.problems("shared")), name


def test_the_mapping_must_fit_its_item(project):
    many = [{"name": f"group-{i:05d}-{'x' * 100}", "lobs": ["lob-a", "lob-b"]} for i in range(1200)]
    _groups(project, *many)
    assert "more than 131072 (it is one DynamoDB item)" in _msg(project)


def test_a_group_member_needs_a_profile_in_each_lob_unless_it_makes_them_just_in_time(project):
    project.edit("shared", lambda c: c["studio-access:users"][0].update(lob=None))
    _groups(project, {"name": "g", "lobs": ["lob-b"], "members": ["user-lob-a"]})
    [(file, key, msg)] = project.problems("shared")
    assert (file, key) == ("Pulumi.shared.yaml", "studio-access:users[0].username")
    assert "profile user-lob-a (group g) is not in studio-access:lob.userProfiles of Pulumi.lob-b.yaml" in msg
    project.edit("lob-b", lambda c: c["studio-access:lob"].update(justInTimeProfiles=True))
    assert project.load("shared").config.users[0].lob is None
    assert project.load("lob-b").config.lob.just_in_time_profiles is True


def test_just_in_time_profiles_are_off_by_default(project):
    assert project.load("lob-a").config.lob.just_in_time_profiles is False
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(justInTimeProfiles="sometimes"))
    assert any(k == "studio-access:lob.justInTimeProfiles" for _, k, _m in project.problems("lob-a"))
