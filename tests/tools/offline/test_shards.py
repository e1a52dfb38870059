"""The plan diff's shards (offline/shards.py): every stack in exactly one, a tenant with its platform,
balanced, the same whatever order the stacks come in and in every process; and the command line."""

import json
import os
import random
import subprocess
import sys

import pytest

from offline import diff_command, shards
from offline.__main__ import main as offline_main
from offline.comment_scripts import shards as comment_shards
from offline.diff import UNTOUCHED
from offline.harness import PROJECT_DIR


def catalog(platforms: int, tenants_per: int, orphans: int) -> tuple[dict[str, set[str]], dict[str, str]]:
    """`platforms` platform stacks, each with `tenants_per` tenants (platform stack i with i % (tenants_per + 1)
    of them, so groups differ in weight), and `orphans` tenants whose platform stack is not there."""
    platform = {f"p{i:03d}" for i in range(platforms)}
    reads = {f"t{i:03d}-{j}": f"p{i:03d}" for i in range(platforms) for j in range(i % (tenants_per + 1))}
    reads |= {f"orphan{i}": "gone" for i in range(orphans)}
    return {shards.PLATFORM: platform, shards.TENANT: set(reads)}, reads


def members(split: list[shards.Shard]) -> list[tuple[str, str]]:
    return [(project, name) for shard in split for project in shards.PROJECTS for name in shard.stacks[project]]


@pytest.mark.parametrize(
    ("platforms", "tenants_per", "orphans", "count"), [(1, 0, 0, 1), (7, 3, 2, 3), (120, 2, 5, 4), (40, 0, 0, 20)]
)
def test_every_stack_is_in_exactly_one_shard(platforms, tenants_per, orphans, count):
    stacks, reads = catalog(platforms, tenants_per, orphans)
    split = shards.assign(stacks, reads, count)
    found = members(split)
    assert len(found) == len(set(found))
    assert set(found) == {(project, name) for project, names in stacks.items() for name in names}
    assert [shard.index for shard in split] == list(range(1, count + 1))
    assert all(shard.count == count for shard in split)


def test_a_tenant_is_in_the_shard_of_the_platform_it_reads():
    stacks, reads = catalog(30, 3, 4)
    split = shards.assign(stacks, reads, 4)
    shard_of = {(project, name): shard.index for shard in split for project, name in members([shard])}
    for tenant, platform in reads.items():
        if platform in stacks[shards.PLATFORM]:
            assert shard_of[shards.TENANT, tenant] == shard_of[shards.PLATFORM, platform], tenant


@pytest.mark.parametrize("count", [2, 3, 7, 10])
def test_the_shards_differ_by_at_most_one_group(count):
    stacks, reads = catalog(100, 4, 9)
    split = shards.assign(stacks, reads, count)
    heaviest = 1 + max(sum(1 for p in reads.values() if p == name) for name in stacks[shards.PLATFORM])
    sizes = [shard.size for shard in split]
    assert max(sizes) - min(sizes) <= heaviest
    # With stacks of one weight (no tenants), as even as whole numbers allow.
    flat = shards.assign({shards.PLATFORM: {f"s{i}" for i in range(1003)}, shards.TENANT: set()}, {}, count)
    assert max(s.size for s in flat) - min(s.size for s in flat) <= 1


def test_the_assignment_does_not_depend_on_the_order_the_stacks_come_in():
    stacks, reads = catalog(50, 2, 3)
    expected = shards.assign(stacks, reads, 5)
    for seed in range(3):
        rng = random.Random(seed)
        shuffled = {project: set(rng.sample(sorted(names), len(names))) for project, names in reversed(stacks.items())}
        mixed = dict(rng.sample(sorted(reads.items()), len(reads)))
        assert shards.assign(shuffled, mixed, 5) == expected


def test_one_shard_up_to_the_threshold_then_one_per_threshold():
    assert [shards.shard_count(n) for n in (0, 1, shards.THRESHOLD)] == [1, 1, 1]
    assert shards.shard_count(shards.THRESHOLD + 1) == 2
    assert shards.shard_count(10 * shards.THRESHOLD) == 10
    assert shards.shard_count(10**6) == shards.MAX_SHARDS


@pytest.mark.parametrize("spec", ["0/3", "4/3", "1/0", "x", "1/2/3", "-1/2", f"1/{shards.MAX_SHARDS + 1}"])
def test_a_shard_that_cannot_be_is_refused_naming_it(spec):
    with pytest.raises(shards.ShardError, match=spec.replace("/", ".")):
        shards.parse(spec)


def test_the_command_gives_the_posting_workflow_an_assignment_it_reads_and_the_workflow_its_matrix(tmp_path, capsys):
    output, written = tmp_path / "github_output", tmp_path / "a.json"
    assert shards.main(["HEAD", "", "--count", "3", "--github-output", str(output), "--out", str(written)]) == 0
    printed = capsys.readouterr().out
    # The same in another process, whatever its string hashing.
    other = subprocess.run(
        [sys.executable, "-m", "offline.shards", "HEAD", "", "--count", "3"],
        cwd=PROJECT_DIR,
        env=dict(os.environ, PYTHONHASHSEED="12345"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert other.stdout == printed == written.read_text()
    read = comment_shards.load_shards(printed.encode())  # what plan_comment.py accepts
    assert len(read) == 3
    listed = {(p, n) for stacks in read for p in shards.PROJECTS for n in stacks[p]}
    on_disk = {(shards.PLATFORM, p.name[7:-5]) for p in PROJECT_DIR.glob("Pulumi.*.yaml") if p.name != "Pulumi.yaml"}
    on_disk |= {(shards.TENANT, p.name[7:-5]) for p in (PROJECT_DIR / "tenant").glob("Pulumi.*.yaml") if p.name != "Pulumi.yaml"}
    assert listed == on_disk
    lines = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert lines["count"] == "3" and json.loads(lines["matrix"]) == [1, 2, 3]


@pytest.mark.parametrize(("args", "message"), [(["--count", "0"], "0 shards"), (["--count", "99"], "99 shards")])
def test_a_count_out_of_range_is_an_error_not_a_traceback(args, message, capsys):
    assert shards.main(["HEAD", "", *args]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error


def test_a_shards_diff_holds_its_stacks_alone():
    # HEAD against itself: nothing changed, so nothing is planned and every stack is listed as untouched.
    first, second = shards.plan(PROJECT_DIR, "HEAD", "HEAD", 2)
    assert first.stacks[shards.PLATFORM] and second.stacks[shards.PLATFORM]
    diffs = diff_command.diff_specs("HEAD:*", "HEAD:*", only=set(first.stacks[shards.PLATFORM]))
    assert [d.stack for d in diffs] == list(first.stacks[shards.PLATFORM])
    assert all(d.note == UNTOUCHED for d in diffs)


@pytest.mark.parametrize(
    ("sides", "shard", "message"),
    [(["HEAD:*", "HEAD:*"], "3/2", "--shard 3/2"), (["HEAD:dev", "HEAD:dev"], "1/2", "`REV:*` sides only")],
)
def test_a_diff_shard_that_cannot_be_is_an_error_not_a_traceback(sides, shard, message, capsys):
    assert offline_main([*["diff", *sides], "--shard", shard]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
