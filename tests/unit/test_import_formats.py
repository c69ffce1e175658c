"""Reading the exports: HTML to the service's plain text, article ids from URLs and the article
map, Disqus and WordPress files (well-formed or not, safe against entity tricks), the service's own
export format, and the staging that joins threads and parents. No AWS."""

from datetime import UTC, datetime

import pytest
from comments.domain.hmac_keys import HmacKeys
from comments.domain.ids import is_comment_id
from comments.domain.models import StoredComment
from comments_cli.import_ import disqus, own_format, wordpress
from comments_cli.import_.source import ArticleMap, FileProblem, Post, Thread, article_from_url, parse_time
from comments_cli.import_.staging import Staging
from comments_cli.import_.text import html_to_text
from export_files import (
    T0,
    DisqusPost,
    DisqusThread,
    WpComment,
    WpItem,
    awkward_disqus,
    awkward_wordpress,
    disqus_xml,
    wxr,
)
from tests_support import stored_comment

KEYS = HmacKeys(b"unit-test-secret")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


# -- HTML to text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("Line<br>next<br/>last", "Line\nnext\nlast"),
        ("&amp; &lt;b&gt; &#8217; &eacute; &nbsp;x", "& <b> ’ é x"),
        ('<a href="https://example.org/a">the study</a>', "the study (https://example.org/a)"),
        ('<a href="https://example.org/a">https://example.org/a</a>', "https://example.org/a"),
        (
            '<a href="https://example.org/long/path/here">example.org/long/pa...</a>',
            "https://example.org/long/path/here",
        ),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("<script>alert(1)</script><style>p{}</style>Safe <b>bold</b> <i>it</i>", "Safe bold it"),
        ("<blockquote>Quoted</blockquote>Reply", "Quoted\n\nReply"),
        ("<p>  spaced\n   out  </p>", "spaced out"),
        ("<img src=x onerror=alert(1)>after", "after"),
        ("a\x00b\x07c\u200bd", "abcd"),
        ("<p></p><p>\n</p>", ""),
    ],
)
def test_html_becomes_plain_text(html, text):
    assert html_to_text(html) == text


def test_disqus_redirect_links_are_unwrapped():
    href = "https://disq.us/url?url=https%3A%2F%2Fexample.org%2Fx%3AbXyZ12abc"
    html = f'<a href="{href}" rel="nofollow">see this</a>'
    assert html_to_text(html) == "see this (https://example.org/x)"
    titled = '<a href="https://disq.us/url?url=junk" title="https://example.org/y">example.org/y</a>'
    assert html_to_text(titled) == "https://example.org/y"


def test_wordpress_text_keeps_its_own_line_breaks():
    assert (
        html_to_text("One\nTwo\n\n\n\nThree &amp; <em>four</em>", newlines=True) == "One\nTwo\n\nThree & four"
    )
    assert html_to_text("One\nTwo") == "One Two"


# -- article ids --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "article"),
    [
        ("https://news.example.com/2015/03/climate-talks/", "climate-talks"),
        ("https://news.example.com/2015/03/climate-talks?utm=1#comments", "climate-talks"),
        ("https://news.example.com/a/Caf%C3%A9%20au%20lait", "Cafe-au-lait"),
        ("https://news.example.com/a/Ørsted—story", "Orsted-story"),
        ("https://news.example.com/story.html", "story.html"),
        ("https://news.example.com/-_-lead", "lead"),
        ("https://news.example.com/" + "x" * 200, "x" * 128),
        ("https://news.example.com/?p=12", None),
        ("https://news.example.com/", None),
        ("https://news.example.com/%E2%9C%93", None),
        ("", None),
        ("not a url", None),
    ],
)
def test_the_article_id_is_the_last_path_segment_in_the_alphabet(url, article):
    assert article_from_url(url) == article


def test_the_article_map_overrides_and_finds_urls_in_any_of_their_forms(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text(
        "url,articleId\nhttps://n.example/?p=12,p-12\nhttps://n.example/a/,alpha\n\n", encoding="utf-8"
    )
    mapping = ArticleMap.read(str(path))
    assert mapping.article("https://n.example/?p=12") == ("p-12", True)
    assert mapping.article("https://n.example/a#comments") == ("alpha", True)
    assert mapping.article("https://n.example/b/") == ("b", False)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("https://n.example/a,bad id\n", "map.csv line 1: 'bad id' is not an article id"),
        ("url,articleId\nhttps://n.example/a\n", "map.csv line 2: expected 2 columns"),
    ],
)
def test_a_bad_article_map_is_a_file_problem_with_its_line(tmp_path, rows, message):
    path = tmp_path / "map.csv"
    path.write_text(rows, encoding="utf-8")
    with pytest.raises(FileProblem, match=message):
        ArticleMap.read(str(path))


def test_times_are_utc_and_zero_or_garbage_is_none():
    assert parse_time("2015-03-01T09:30:15Z") == datetime(2015, 3, 1, 9, 30, 15, tzinfo=UTC)
    assert parse_time("2015-03-01T09:30:15") == datetime(2015, 3, 1, 9, 30, 15, tzinfo=UTC)
    assert parse_time("2015-03-01T10:30:15+01:00") == datetime(2015, 3, 1, 9, 30, 15, tzinfo=UTC)
    assert parse_time("2016-05-01 10:05:00", space=True) == datetime(2016, 5, 1, 10, 5, tzinfo=UTC)
    assert parse_time("0000-00-00 00:00:00", space=True) is None
    assert parse_time("yesterday") is None
    assert parse_time("1969-12-31T23:59:59Z") is None


# -- Disqus -------------------------------------------------------------------------------------------


def test_disqus_threads_and_posts_are_read_with_their_lines(tmp_path):
    path = tmp_path / "d.xml"
    path.write_text(disqus_xml(*awkward_disqus()), encoding="utf-8")
    records = list(disqus.read(path))
    threads = [r for r in records if isinstance(r, Thread)]
    posts = {r.source_id: r for r in records if isinstance(r, Post)}
    assert [t.key for t in threads] == ["t1", "t2", "t3", "t4"]
    assert threads[1].closed and not threads[0].closed and threads[3].alt == "elections-2015"
    assert posts["p1"].email == "zoe@example.org" and posts["p1"].identity == "user:zoe_a"
    assert posts["p2"].email is None and posts["p2"].identity == "guest:山田太郎"
    assert posts["p2"].parent_ref == "p1" and posts["p2"].thread_ref == "t1"
    assert (posts["p3"].skip, posts["p4"].skip, posts["p1"].skip) == ("spam", "deleted", None)
    assert posts["p6"].status == "pending" and posts["p1"].status == "published"
    assert posts["p8"].thread_ref is None and posts["p8"].thread_alt == "elections-2015"
    assert posts["p1"].created == T0
    assert path.read_text().splitlines()[posts["p2"].line - 1].strip() == '<post dsq:id="p2">'


def test_disqus_documented_example_refers_by_id_text(tmp_path):
    # The example in Disqus's own "Comments Export" page: posts without dsq:id, <thread>1</thread>
    path = tmp_path / "doc.xml"
    path.write_text(
        """<?xml version="1.0"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <category dsq:id="1"><forum>disqusdev</forum><title>Technology</title></category>
  <thread dsq:id="2"><id>1</id><forum>disqusdev</forum><category dsq:id="1"/><link>https://d.example/t</link>
    <title/><message/><createdAt>2012-12-12T12:12:12</createdAt><author><name>Baz</name></author></thread>
  <post dsq:id="1"><id>2</id><message>Mother Russia</message><thread>1</thread><isSpam>true</isSpam>
    <createdAt>2012-12-12T12:12:12</createdAt><author><name>Baz</name></author></post>
  <post dsq:id="2"><id>1</id><message>Yo dude</message><parent dsq:id="1">2</parent><thread>1</thread>
    <createdAt>2012-12-12T12:12:12</createdAt><author><name>Baz</name></author></post>
  <post><id>3</id><message/><thread dsq:id="2"/><createdAt>2012-12-12T12:12:12</createdAt>
    <author><name>Baz</name></author></post>
</disqus>""",
        encoding="utf-8",
    )
    with Staging("disqus", KEYS) as staging:
        for record in disqus.read(path):
            (staging.add_thread if isinstance(record, Thread) else staging.add_post)(record)
        staging.resolve()
        [comment] = list(staging.comments(NOW))
        assert (comment.articleId, comment.body, comment.parentId) == ("t", "Yo dude", None)
        assert staging.skipped() == {"spam": 1, "empty": 1}
        assert any("is skipped (spam)" in text for _, _, text in staging.notes())


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_a_truncated_disqus_file_names_the_line_where_it_ends(tmp_path, cut):
    text = disqus_xml(*awkward_disqus())
    path = tmp_path / "cut.xml"
    path.write_text(text[: int(len(text) * cut)], encoding="utf-8")
    with pytest.raises(FileProblem) as problem:
        list(disqus.read(path))
    lines = path.read_text().count("\n") + 1
    assert problem.value.line == lines
    assert f"cut.xml line {lines}: not well-formed XML" in str(problem.value)


def test_garbage_in_the_middle_names_its_line(tmp_path):
    lines = disqus_xml(*awkward_disqus()).splitlines()
    lines[40] = "<post <<< garbage"
    path = tmp_path / "bad.xml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(FileProblem, match=r"bad.xml line 41: not well-formed XML"):
        list(disqus.read(path))


def test_entity_expansion_is_refused(tmp_path):
    path = tmp_path / "laughs.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE disqus [\n<!ENTITY lol "lol">\n'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        '<disqus xmlns="http://disqus.com"><post><message>&lol2;</message></post></disqus>\n'
    )
    with pytest.raises(FileProblem, match="line 3: refused: the file declares XML entities"):
        list(disqus.read(path))


def test_external_entities_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<disqus xmlns="http://disqus.com"><post><message>&xxe;</message></post></disqus>\n'
    )
    with pytest.raises(FileProblem, match="refused"):
        list(disqus.read(path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("<rss><channel/></rss>", "not a Disqus export: its root element is <rss>"),
        ("<disqus/>", "not a Disqus export: no <thread> or <post>"),
        ("just text", "not well-formed XML: syntax error"),
    ],
)
def test_what_is_not_a_disqus_export_is_said(tmp_path, content, message):
    path = tmp_path / "x.xml"
    path.write_text(content)
    with pytest.raises(FileProblem, match=message):
        list(disqus.read(path))


def test_a_huge_message_is_skipped_not_kept(tmp_path, monkeypatch):
    from comments_cli.import_ import xml_stream

    monkeypatch.setattr(xml_stream, "MAX_RECORD_CHARS", 1000)
    posts = [
        DisqusPost("big", "t", "<p>" + "word " * 5000 + "</p>", T0),
        DisqusPost("small", "t", "<p>ok</p>", T0),
    ]
    path = tmp_path / "big.xml"
    path.write_text(disqus_xml([DisqusThread("t", "https://n.example/a")], posts))
    got = {p.source_id: p for p in disqus.read(path) if isinstance(p, Post)}
    assert got["big"].skip == "too large" and len(got["big"].html) < 2000
    assert got["small"].skip is None


# -- WordPress ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_wordpress_items_and_comments_are_read(tmp_path, version):
    path = tmp_path / "wp.xml"
    path.write_text(wxr(awkward_wordpress(), version=version), encoding="utf-8")
    records = list(wordpress.read(path))
    threads = [r for r in records if isinstance(r, Thread)]
    posts = {r.source_id.rsplit("#", 1)[1]: r for r in records if isinstance(r, Post)}
    assert [t.url for t in threads][:2] == [
        "https://blog.example.org/2016/05/hello-world/",
        "https://blog.example.org/2016/05/closed-post/",
    ]
    assert threads[1].closed and threads[2].closed and not threads[2].listed
    assert posts["1"].source_id == "blog.example.org#1" and posts["2"].parent_ref == "blog.example.org#1"
    assert posts["2"].identity == "user:blog.example.org#1" and posts["1"].email == "ana@example.org"
    assert {k: p.skip for k, p in posts.items() if p.skip} == {
        "3": "spam",
        "4": "trashed",
        "7": "pingback",
        "8": "trackback",
    }
    assert posts["6"].status == "pending"
    assert posts["9"].created == datetime(2016, 5, 1, 11, 0, tzinfo=UTC)  # comment_date taken as UTC
    assert posts["1"].html == "Great post!\nSecond line &amp; more." and posts["1"].newlines
    lines = path.read_text().splitlines()
    assert lines[posts["5"].line - 1].strip() == "<wp:comment>"


def test_a_wordpress_site_is_part_of_its_comment_ids(tmp_path):
    items = [WpItem(1, "https://a.example/p/", comments=[WpComment(1, "Hi", "2016-05-01 10:00:00")])]
    one, two = tmp_path / "one.xml", tmp_path / "two.xml"
    one.write_text(wxr(items, site="https://a.example"))
    two.write_text(wxr(items, site="https://b.example"))
    [first] = [p.source_id for p in wordpress.read(one) if isinstance(p, Post)]
    [second] = [p.source_id for p in wordpress.read(two) if isinstance(p, Post)]
    assert first != second


def test_an_unknown_wxr_version_is_refused(tmp_path):
    path = tmp_path / "wp.xml"
    path.write_text(wxr(awkward_wordpress(), version="2.0"))
    with pytest.raises(FileProblem, match=r"WXR 2.0 is not one this tool reads"):
        list(wordpress.read(path))


# -- staging --------------------------------------------------------------------------------------------


def staged(records: list[Thread | Post], source: str = "disqus") -> Staging:
    staging = Staging(source, KEYS)
    for record in records:
        (staging.add_thread if isinstance(record, Thread) else staging.add_post)(record)
    staging.resolve()
    return staging


def test_ids_come_from_the_source_so_a_second_staging_gives_the_same(tmp_path):
    path = tmp_path / "d.xml"
    path.write_text(disqus_xml(*awkward_disqus()), encoding="utf-8")
    with staged(list(disqus.read(path))) as a, staged(list(disqus.read(path))) as b:
        first, second = list(a.comments(NOW)), list(b.comments(NOW))
    assert [c.id for c in first] == [c.id for c in second]
    assert all(is_comment_id(c.id) for c in first)
    # time-prefixed: ids sort as the comments' times do
    assert sorted(first, key=lambda c: c.id) == sorted(first, key=lambda c: (c.createdAt, c.id))


def test_the_same_source_id_twice_is_imported_once(tmp_path):
    posts = [DisqusPost("1", "t", "<p>once</p>", T0), DisqusPost("1", "t", "<p>twice</p>", T0)]
    path = tmp_path / "d.xml"
    path.write_text(disqus_xml([DisqusThread("t", "https://n.example/a")], posts))
    with staged(list(disqus.read(path))) as staging:
        assert [c.body for c in staging.comments(NOW)] == ["once"]
        assert staging.skipped() == {"duplicate": 1}


def test_threads_whose_urls_end_alike_are_noted(tmp_path):
    threads = [
        DisqusThread("a", "https://n.example/news/story"),
        DisqusThread("b", "https://n.example/sport/story"),
    ]
    posts = [DisqusPost("1", "a", "<p>one</p>", T0), DisqusPost("2", "b", "<p>two</p>", T0)]
    path = tmp_path / "d.xml"
    path.write_text(disqus_xml(threads, posts))
    with staged(list(disqus.read(path))) as staging:
        assert {c.articleId for c in staging.comments(NOW)} == {"story"}
        assert any(kind == "merged" and "2 URLs" in text for kind, _, text in staging.notes())


def test_a_post_of_a_thread_not_in_the_file_is_skipped(tmp_path):
    path = tmp_path / "d.xml"
    path.write_text(disqus_xml([], [DisqusPost("1", "nowhere", "<p>lost</p>", T0)]))
    with staged(list(disqus.read(path))) as staging:
        assert list(staging.comments(NOW)) == [] and staging.skipped() == {"no thread": 1}


# -- the service's own format ---------------------------------------------------------------------------


def exported(comments: list[StoredComment], settings: bool = True) -> str:
    from comments.domain.models import ArticleSettings
    from comments_cli.import_.own_format import ExportedArticle, ExportedComment, header, line

    parts = [header("2026-11-28T10:00:00.000Z", None) + ',\n "articles": [']
    if settings:
        parts.append(
            "\n" + line(ExportedArticle(articleId="climate-2026", settings=ArticleSettings(closed=True)))
        )
    parts.append('\n ],\n "comments": [')
    parts.append(",".join("\n" + line(ExportedComment.of(c)) for c in comments))
    parts.append("\n ]}\n")
    return "".join(parts)


def test_the_own_format_reads_back_what_was_written(tmp_path):
    comment = stored_comment("pending")
    path = tmp_path / "e.json"
    path.write_text(exported([comment]), encoding="utf-8")
    records = list(own_format.read(path))
    assert [line for line, _ in records] == [3, 6]
    restored = records[1][1].stored()
    assert restored.model_dump(exclude={"clientId", "editTokenHash"}) == comment.model_dump(
        exclude={"clientId", "editTokenHash"}
    )
    assert restored.clientId == "" and restored.editTokenHash == ""


def test_the_own_format_in_any_layout(tmp_path):
    import json

    document = json.loads(exported([stored_comment()]))
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps({"comments": document["comments"], **document}, indent=4))
    assert [type(r).__name__ for _, r in own_format.read(path)] == ["ExportedComment", "ExportedArticle"]


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda t: t[: t.rindex("\n ]}")], r"e.json line 6: .*cut short"),
        (lambda t: t.replace('"version": 1', '"version": 2'), "e.json line 1: export format version 2"),
        (lambda t: t.replace("comment-service-export", "other"), "not an export of this service"),
        (lambda t: t.replace('"status": "pending"', '"status": "lost"'), "e.json line 6: comment status"),
        (
            lambda t: t.replace('"articleId": "climate-2026", "parentId"', '"articleId": "a b", "parentId"'),
            "line 6",
        ),
        (lambda t: t + "{}", "unexpected text after the export's end"),
        (lambda t: "[]", "expected an export of this service"),
    ],
)
def test_a_bad_own_format_file_is_a_problem_with_its_line(tmp_path, mangle, message):
    path = tmp_path / "e.json"
    path.write_text(mangle(exported([stored_comment("pending")])), encoding="utf-8")
    with pytest.raises(FileProblem, match=message):
        list(own_format.read(path))


def test_the_own_format_streams_across_read_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(own_format, "_CHUNK", 7)
    comments = [stored_comment(body=f"Remark number {n}, calm and considered.") for n in range(20)]
    path = tmp_path / "e.json"
    path.write_text(exported(comments), encoding="utf-8")
    records = list(own_format.read(path))
    assert [r.body for _, r in records[1:]] == [c.body for c in comments]
    assert [line for line, _ in records] == list(range(3, 3 + 1)) + list(range(6, 26))
