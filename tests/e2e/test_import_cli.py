"""The installed `comments-import` and `comments-export` console scripts against the local stack as
`make dev` runs it: found through AWS_ENDPOINT_URL alone (the table and secret discovered on the
emulator), the imported comments then read, counted and moderated over real HTTP."""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from export_files import T0, DisqusPost, DisqusThread, disqus_xml

BIN = Path(sys.executable).parent


def tool(stack, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_ENDPOINT_URL"] = stack.aws_endpoint
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_disqus_export_imported_with_the_console_script(dev_stack, tmp_path):
    # Given a Disqus export for a fresh article: a thread, a reply, spam, one waiting for moderation
    article = f"import-e2e-{uuid.uuid4().hex[:8]}"
    threads = [DisqusThread("t", f"https://news.example.com/2015/03/{article}/")]
    posts = [
        DisqusPost("1", "t", "<p>First, with an <b>opinion</b>.</p>", T0, "Zoë", "zoe-e2e@example.org"),
        DisqusPost("2", "t", "<p>A reply.</p>", T0.replace(minute=45), "Ann", parent="1"),
        DisqusPost("3", "t", "<p>spam spam</p>", T0.replace(minute=46), "Spam", spam=True),
        DisqusPost("4", "t", "<p>Held at Disqus.</p>", T0.replace(minute=47), "Pat", approved=False),
    ]
    path = tmp_path / "export.xml"
    path.write_text(disqus_xml(threads, posts), encoding="utf-8")
    # When the installed script imports it, with nothing but AWS_ENDPOINT_URL
    done = tool(dev_stack, "comments-import", "disqus", str(path))
    # Then it reports the contract's line, and the site shows the thread
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "imported 3, skipped 1"
    assert done.stderr == ""  # no progress bar when not on a terminal
    listed = requests.get(f"{dev_stack.base_url}/articles/{article}/comments", timeout=10).json()["comments"]
    assert [(c["name"], c["body"]) for c in listed] == [
        ("Zoë", "First, with an opinion."),
        ("Ann", "A reply."),
    ]
    assert listed[1]["parentId"] == listed[0]["id"] and listed[0]["createdAt"] == "2015-03-01T09:30:15.000Z"
    # and counts them, once the relay has read the change stream (about a second behind)
    deadline, counts = time.monotonic() + 20, None
    while time.monotonic() < deadline:
        counts = requests.get(
            f"{dev_stack.base_url}/articles/comment-counts?ids={article}", timeout=10
        ).json()
        if counts["counts"][article] >= 2:
            break
        time.sleep(0.2)
    assert counts == {"counts": {article: 2}}
    # and the held one reaches the moderators' queue through the stream
    auth = {"Authorization": f"Bearer {dev_stack.moderator_token}"}
    deadline, found = time.monotonic() + 20, None
    while found is None and time.monotonic() < deadline:
        items = requests.get(
            f"{dev_stack.base_url}/moderation/queue?max=10", headers=auth, timeout=10
        ).json()["items"]
        for item in items:
            if item["comment"]["articleId"] == article:
                found = item
            else:
                requests.post(
                    f"{dev_stack.base_url}/moderation/comments/{item['comment']['id']}/release",
                    json={"claim": item["claim"]},
                    headers=auth,
                    timeout=10,
                )
        time.sleep(0.3)
    assert found is not None and found["comment"]["body"] == "Held at Disqus."
    requests.post(
        f"{dev_stack.base_url}/moderation/comments/{found['comment']['id']}/release",
        json={"claim": found["claim"]},
        headers=auth,
        timeout=10,
    )
    # and a second run changes nothing
    again = tool(dev_stack, "comments-import", "disqus", str(path))
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == "imported 0, skipped 4"
    # and the export holds the article's three comments, which import back as they are
    exported = tool(dev_stack, "comments-export", "--article", article)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert sorted(c["status"] for c in document["comments"]) == ["pending", "published", "published"]
    backup = tmp_path / "backup.json"
    backup.write_text(exported.stdout, encoding="utf-8")
    restored = tool(dev_stack, "comments-import", "json", str(backup))
    assert restored.returncode == 0 and restored.stdout.splitlines()[-1] == "imported 0, skipped 3"


def test_a_truncated_export_is_refused_by_the_console_script(dev_stack, tmp_path):
    text = disqus_xml(
        [DisqusThread("t", "https://news.example.com/cut")], [DisqusPost("1", "t", "<p>x</p>", T0)]
    )
    path = tmp_path / "cut.xml"
    path.write_text(text[:-40], encoding="utf-8")
    done = tool(dev_stack, "comments-import", "disqus", str(path))
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.startswith("comments-import: cut.xml line ") and "nothing was written" in done.stderr
    assert requests.get(f"{dev_stack.base_url}/articles/cut/comments", timeout=10).json()["comments"] == []
