"""Harm not scored is said (issue 12, item 2): options with no harms and no benefits are counted
and named by validate, and the commands that report a plan's harm say it leaves them out."""

from __future__ import annotations

from click.testing import CliRunner
from factory import Council

from mtfs_align.cli import cli
from mtfs_align.report.text import unscored_sentence


def test_the_sentence_counts_names_and_says_what_the_plan_uses():
    assert unscored_sentence([]) is None
    alone = unscored_sentence(["S3"])
    assert alone.startswith("Harm is not scored for 1 option (S3): options.csv gives it no harms or benefits")
    many = unscored_sentence([f"S{i}" for i in range(1, 11)], adopted=["S2", "S20"])
    assert "10 options (S1, S2, S3, S4, S5, S6, S7, S8 and 2 more)" in many
    assert "The plan adopts 1 of them, so its outcome harm leaves it out: a zero there is not 'no harm'." in many
    assert unscored_sentence(["S3"], adopted=["S1"]).endswith("the plan adopts none of them.")


def test_validate_and_optimise_say_which_options_are_unscored(tmp_path):
    c = Council()  # S3, an income option, has neither harms nor benefits
    path = c.write(tmp_path)
    validate = CliRunner().invoke(cli, ["validate", str(path)])
    assert validate.exit_code == 0, validate.output
    assert "Harm is not scored for 1 option (S3)" in validate.output
    optimise = CliRunner().invoke(cli, ["optimise", str(path), "-q", "--out", str(tmp_path / "o")])
    assert "Harm is not scored for 1 option (S3)" in optimise.output
    assert "The plan adopts 1 of them" in optimise.output


def test_nothing_is_said_when_every_option_is_scored(tmp_path):
    c = Council()
    c.option("S3")["harms"] = "O3:0.5"
    path = c.write(tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert "not scored" not in result.output
