"""comments-policy evaluate: precision and recall per rule on labelled comments."""

import json

from comments_cli.policy import main


def labelled(tmp_path, lines) -> str:
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return str(path)


def test_evaluate_prints_precision_and_recall_per_rule_and_the_misjudged_lines(tmp_path, capsys):
    # Given labelled comments: two threats (one missed by a label that wants it held), a control,
    # and a control the threat rule holds
    path = labelled(
        tmp_path,
        [
            {"body": "Someone should shoot the author.", "verdict": "hold", "rule": "threat"},
            {"body": "The weather was lovely today.", "verdict": "hold", "rule": "threat"},
            {"body": "The strike killed dozens.", "verdict": "publish"},
            {"body": "I will find you.", "verdict": "publish"},
        ],
    )
    # When evaluate runs on them
    code = main(["evaluate", path])
    out = capsys.readouterr().out
    # Then it exits 0 and reports threat precision 1 of 2 and recall 1 of 2, the accuracy, the
    # innocent line held, and each misjudged line with what it got
    assert code == 0
    row = next(line.split() for line in out.splitlines() if line.startswith("threat "))
    assert row == ["threat", "2", "2", "1", "50.0%", "50.0%"]
    assert "accuracy: 2 of 4 judged right (50.0%)" in out
    assert "innocent comments held or rejected: 1 of 2" in out
    assert "line 2: expected hold (threat), got publish: The weather was lovely today." in out
    assert "line 4: expected publish, got hold (threat): I will find you." in out


def test_rules_that_fire_without_a_label_are_listed_apart(tmp_path, capsys):
    # Given a labelled threat that also has a word the suspect_term list holds
    path = labelled(
        tmp_path, [{"body": "Someone should shoot this idiot.", "verdict": "hold", "rule": "threat"}]
    )
    # When evaluate runs
    main(["evaluate", path])
    out = capsys.readouterr().out
    # Then suspect_term is counted apart, with no precision or recall made up for it
    assert "also fired (no line labelled with them" in out
    assert "suspect_term   on 1 line" in out


def test_lines_it_cannot_read_are_reported_and_the_rest_evaluated(tmp_path, capsys):
    # Given a file with lines that are not labelled comments
    path = labelled(
        tmp_path,
        [
            "not json",
            {"body": "Fine.", "verdict": "maybe"},
            {"verdict": "publish"},
            {"body": "Fine.", "verdict": "publish"},
        ],
    )
    # When evaluate runs
    code = main(["evaluate", path])
    out = capsys.readouterr().out
    # Then the good line is evaluated and each bad one is named with the reason
    assert code == 0
    assert "1 labelled comments" in out
    assert "line 1: not JSON" in out
    assert 'line 2: "verdict" must be "publish", "hold" or "reject"' in out
    assert 'line 3: "body" must be a string' in out


def test_evaluate_of_a_missing_file_says_so_and_exits_2(tmp_path, capsys):
    # Given a path with no file
    # When evaluate runs on it
    code = main(["evaluate", str(tmp_path / "nowhere.jsonl")])
    # Then it exits 2 and says it cannot read the file
    assert code == 2
    assert "cannot read" in capsys.readouterr().err
