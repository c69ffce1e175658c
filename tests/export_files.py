"""Disqus and WordPress exports as the real services write them, for the import tests and the
import benchmark, made from the formats' documentation:

- Disqus: help.disqus.com "Comments Export" and its schemas (disqus.com/api/schemas/1.0/
  disqus.xsd, internals.xsd): <disqus> with the default namespace http://disqus.com and `dsq`
  for http://disqus.com/disqus-internals; <category>, then <thread dsq:id> (<id>, <forum>,
  <category dsq:id/>, <link>, <title>, <message/>, <createdAt>, <author>, <ipAddress>,
  <isClosed>, <isDeleted>), then <post dsq:id> (<id/>, <message> in CDATA, <createdAt>,
  <isDeleted>, <isSpam>, <author> (<email>, <name>, <isAnonymous>, <username>), <ipAddress>,
  <thread dsq:id/>, <parent dsq:id/>).
- WordPress: the WXR that wp-admin/includes/export.php writes: RSS 2.0 with the excerpt,
  content, wfw, dc and wp namespaces (http://wordpress.org/export/1.x/), <wp:wxr_version>,
  <wp:base_site_url>, <item>s with <wp:post_id>, <wp:comment_status>, <wp:post_type> and
  <wp:comment>s (<wp:comment_id>, _author, _author_email, _author_url, _author_IP, _date,
  _date_gmt, _content, _approved, _type, _parent, _user_id, <wp:commentmeta>).

Nothing here is committed as a large file: `big_disqus` writes the 50,000-comment export for
the benchmark when it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape


def cdata(text: str) -> str:
    """Text in CDATA, as both exporters write messages (a `]]>` inside is split, as they do)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class DisqusThread:
    dsq_id: str
    link: str
    identifier: str = ""  # the site's disqus_identifier: often empty
    title: str = "An article"
    closed: bool = False
    deleted: bool = False


@dataclass
class DisqusPost:
    dsq_id: str
    thread: str  # the thread's dsq:id
    message: str  # HTML
    created: datetime
    name: str = "Reader"
    email: str | None = None
    username: str | None = None
    parent: str | None = None  # the parent's dsq:id
    spam: bool = False
    deleted: bool = False
    approved: bool | None = None  # newer exports only
    ip: str = "203.0.113.9"
    thread_by_text: bool = False  # refer to the thread by its <id> text, as Disqus's own example does


def _disqus_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _disqus_thread(t: DisqusThread, forum: str) -> str:
    return f"""  <thread dsq:id="{t.dsq_id}">
    <id>{escape(t.identifier)}</id>
    <forum>{forum}</forum>
    <category dsq:id="1"/>
    <link>{escape(t.link)}</link>
    <title>{cdata(t.title)}</title>
    <message/>
    <createdAt>2014-01-01T08:00:00Z</createdAt>
    <author>
      <email>editor@news.example.com</email>
      <name>Editor</name>
      <isAnonymous>false</isAnonymous>
      <username>editor</username>
    </author>
    <ipAddress>198.51.100.1</ipAddress>
    <isClosed>{str(t.closed).lower()}</isClosed>
    <isDeleted>{str(t.deleted).lower()}</isDeleted>
  </thread>
"""


def _disqus_post(p: DisqusPost) -> str:
    author = [
        f"      <name>{escape(p.name)}</name>",
        f"      <isAnonymous>{str(p.username is None).lower()}</isAnonymous>",
    ]
    if p.email is not None:
        author.insert(0, f"      <email>{escape(p.email)}</email>")
    if p.username is not None:
        author.append(f"      <username>{escape(p.username)}</username>")
    thread = f"<thread>{p.thread}</thread>" if p.thread_by_text else f'<thread dsq:id="{p.thread}"/>'
    parent = f'\n    <parent dsq:id="{p.parent}"/>' if p.parent else ""
    approved = f"\n    <isApproved>{str(p.approved).lower()}</isApproved>" if p.approved is not None else ""
    joined = "\n".join(author)
    return f"""  <post dsq:id="{p.dsq_id}">
    <id/>
    <message>{cdata(p.message)}</message>
    <createdAt>{_disqus_time(p.created)}</createdAt>
    <isDeleted>{str(p.deleted).lower()}</isDeleted>
    <isSpam>{str(p.spam).lower()}</isSpam>{approved}
    <author>
{joined}
    </author>
    <ipAddress>{p.ip}</ipAddress>
    {thread}{parent}
  </post>
"""


DISQUS_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd http://disqus.com/api/schemas/1.0/internals.xsd">
  <category dsq:id="1">
    <forum>{forum}</forum>
    <title>General</title>
    <isDefault>true</isDefault>
  </category>
"""


def disqus_chunks(
    threads: list[DisqusThread], posts: Iterator[DisqusPost] | list[DisqusPost], forum: str = "newsexample"
) -> Iterator[str]:
    yield DISQUS_HEAD.format(forum=forum)
    for t in threads:
        yield _disqus_thread(t, forum)
    for p in posts:
        yield _disqus_post(p)
    yield "</disqus>\n"


def disqus_xml(threads: list[DisqusThread], posts: list[DisqusPost], forum: str = "newsexample") -> str:
    return "".join(disqus_chunks(threads, posts, forum))


@dataclass
class WpComment:
    comment_id: int
    content: str  # as typed: line breaks are the writer's
    date_gmt: str  # "YYYY-MM-DD HH:MM:SS", or "0000-00-00 00:00:00"
    author: str = "Reader"
    email: str = ""
    url: str = ""
    approved: str = "1"  # 1, 0, spam, trash, post-trashed
    kind: str = ""  # "", comment, pingback, trackback
    parent: int = 0
    user_id: int = 0
    date_local: str = ""
    ip: str = "203.0.113.20"


@dataclass
class WpItem:
    post_id: int
    link: str
    title: str = "A post"
    comment_status: str = "open"
    post_type: str = "post"
    status: str = "publish"
    comments: list[WpComment] = field(default_factory=list)


def _wp_comment(c: WpComment) -> str:
    local = c.date_local or (c.date_gmt if not c.date_gmt.startswith("0000") else "2016-05-01 12:00:00")
    return f"""		<wp:comment>
			<wp:comment_id>{c.comment_id}</wp:comment_id>
			<wp:comment_author>{cdata(c.author)}</wp:comment_author>
			<wp:comment_author_email>{cdata(c.email)}</wp:comment_author_email>
			<wp:comment_author_url>{escape(c.url)}</wp:comment_author_url>
			<wp:comment_author_IP>{cdata(c.ip)}</wp:comment_author_IP>
			<wp:comment_date>{cdata(local)}</wp:comment_date>
			<wp:comment_date_gmt>{cdata(c.date_gmt)}</wp:comment_date_gmt>
			<wp:comment_content>{cdata(c.content)}</wp:comment_content>
			<wp:comment_approved>{cdata(c.approved)}</wp:comment_approved>
			<wp:comment_type>{cdata(c.kind)}</wp:comment_type>
			<wp:comment_parent>{c.parent}</wp:comment_parent>
			<wp:comment_user_id>{c.user_id}</wp:comment_user_id>
			<wp:commentmeta>
				<wp:meta_key>{cdata("akismet_result")}</wp:meta_key>
				<wp:meta_value>{cdata("false")}</wp:meta_value>
			</wp:commentmeta>
		</wp:comment>
"""


def _wp_item(i: WpItem) -> str:
    comments = "".join(_wp_comment(c) for c in i.comments)
    return f"""	<item>
		<title>{escape(i.title)}</title>
		<link>{escape(i.link)}</link>
		<pubDate>Sun, 01 May 2016 10:00:00 +0000</pubDate>
		<dc:creator>{cdata("admin")}</dc:creator>
		<guid isPermaLink="false">https://blog.example.org/?p={i.post_id}</guid>
		<description></description>
		<content:encoded>{cdata("<p>The article's own text, which is not a comment.</p>")}</content:encoded>
		<excerpt:encoded>{cdata("")}</excerpt:encoded>
		<wp:post_id>{i.post_id}</wp:post_id>
		<wp:post_date>{cdata("2016-05-01 10:00:00")}</wp:post_date>
		<wp:post_date_gmt>{cdata("2016-05-01 10:00:00")}</wp:post_date_gmt>
		<wp:comment_status>{cdata(i.comment_status)}</wp:comment_status>
		<wp:ping_status>{cdata("open")}</wp:ping_status>
		<wp:post_name>{cdata("a-post")}</wp:post_name>
		<wp:status>{cdata(i.status)}</wp:status>
		<wp:post_parent>0</wp:post_parent>
		<wp:menu_order>0</wp:menu_order>
		<wp:post_type>{cdata(i.post_type)}</wp:post_type>
		<wp:post_password>{cdata("")}</wp:post_password>
		<wp:is_sticky>0</wp:is_sticky>
		<category domain="category" nicename="news">{cdata("News")}</category>
{comments}	</item>
"""


def wxr(items: list[WpItem], version: str = "1.2", site: str = "https://blog.example.org") -> str:
    ns = f"http://wordpress.org/export/{version}/"
    body = "".join(_wp_item(i) for i in items)
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of your site. -->
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/{version}/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="{ns}"
>
<channel>
	<title>A Blog</title>
	<link>{site}</link>
	<description>Just another WordPress site</description>
	<pubDate>Mon, 02 May 2016 10:00:00 +0000</pubDate>
	<language>en-US</language>
	<wp:wxr_version>{version}</wp:wxr_version>
	<wp:base_site_url>{site}</wp:base_site_url>
	<wp:base_blog_url>{site}</wp:base_blog_url>
	<wp:author><wp:author_id>1</wp:author_id><wp:author_login>{cdata("admin")}</wp:author_login></wp:author>
	<generator>https://wordpress.org/?v=6.4</generator>
{body}</channel>
</rss>
"""


# -- the awkward cases, each one an importer has been seen to fail on -------------------------------
T0 = datetime(2015, 3, 1, 9, 30, 15, tzinfo=UTC)


def awkward_disqus() -> tuple[list[DisqusThread], list[DisqusPost]]:
    """Two articles with threads, a closed one, a thread with no usable URL, and the posts every
    importer trips on. Expected outcome, by dsq:id, is in the tests that use it."""
    threads = [
        DisqusThread("t1", "https://news.example.com/2015/03/climate-talks/?utm_source=x#comments", ""),
        DisqusThread("t2", "https://news.example.com/2015/03/Café-Ørsted_review", "", closed=True),
        DisqusThread("t3", "https://news.example.com/?p=991", ""),  # no path segment
        DisqusThread("t4", "https://news.example.com/2015/04/elections", "elections-2015"),
    ]
    posts = [
        DisqusPost(
            "p1",
            "t1",
            "<p>First &amp; foremost: a <b>fine</b> piece.</p><p>Second paragraph<br>new line.</p>",
            T0,
            "Zoë Ångström",
            "zoe@example.org",
            "zoe_a",
        ),
        DisqusPost(
            "p2",
            "t1",
            '<p>Agreed, see <a href="https://disq.us/url?url=https%3A%2F%2Fexample.org%2Fstudy%3AbXyZ12" '
            'rel="nofollow noopener" title="https://example.org/study">example.org/study</a></p>',
            T0 + timedelta(minutes=5),
            "山田太郎",
            None,
            None,
            parent="p1",
        ),
        DisqusPost(
            "p3",
            "t1",
            "<p>BUY CHEAP PILLS</p>",
            T0 + timedelta(minutes=6),
            "Spammer",
            "spam@example.net",
            spam=True,
        ),
        DisqusPost(
            "p4", "t1", "<p>Removed by the author.</p>", T0 + timedelta(minutes=7), "Gone", deleted=True
        ),
        DisqusPost(
            "p5",
            "t1",
            "<p>Replying to a removed comment &#8212; still here.</p>",
            T0 + timedelta(minutes=8),
            "O'Brien & Sons",
            "obrien@example.org",
            parent="p4",
        ),
        DisqusPost(
            "p6",
            "t2",
            "<p>Waiting for a moderator.</p><script>alert(1)</script>",
            T0 + timedelta(hours=1),
            "Pending Pete",
            "pete@example.org",
            approved=False,
        ),
        DisqusPost("p7", "t3", "<p>On a page with no usable URL.</p>", T0 + timedelta(hours=2), "Lost"),
        DisqusPost(
            "p8",
            "elections-2015",
            "<p>Referred to by the thread's own id.</p>",
            T0 + timedelta(hours=3),
            "Ida",
            "ida@example.org",
            thread_by_text=True,
        ),
        DisqusPost(
            "p9",
            "t2",
            "<p>Ørsted is right ]]&gt; about this.</p>",
            T0 + timedelta(hours=4),
            "Ørsted",
            "ZOE@Example.org ",
            "zoe_a",
        ),
    ]
    return threads, posts


def awkward_wordpress() -> list[WpItem]:
    return [
        WpItem(
            10,
            "https://blog.example.org/2016/05/hello-world/",
            comments=[
                WpComment(
                    1, "Great post!\nSecond line &amp; more.", "2016-05-01 10:05:00", "Ana", "ana@example.org"
                ),
                WpComment(
                    2,
                    'Thanks <a href="https://blog.example.org/">Ana</a>',
                    "2016-05-01 10:15:00",
                    "admin",
                    "",
                    user_id=1,
                    parent=1,
                ),
                WpComment(
                    3, "Cheap watches", "2016-05-01 10:20:00", "Spam", "s@example.net", approved="spam"
                ),
                WpComment(
                    4, "Trashed one", "2016-05-01 10:25:00", "Trash", "t@example.net", approved="trash"
                ),
                WpComment(
                    5, "Reply to the trashed one", "2016-05-01 10:30:00", "Bo", "bo@example.org", parent=4
                ),
                WpComment(6, "Still pending", "2016-05-01 10:35:00", "Cy", "cy@example.org", approved="0"),
                WpComment(
                    7,
                    "[...] linked here [...]",
                    "2016-05-01 10:40:00",
                    "Other Blog",
                    url="https://other.example/",
                    kind="pingback",
                ),
                WpComment(8, "Trackback", "2016-05-01 10:45:00", "Tb", kind="trackback"),
                WpComment(
                    9,
                    "No GMT date, local time only",
                    "0000-00-00 00:00:00",
                    "Đorđe Šimić",
                    "",
                    date_local="2016-05-01 11:00:00",
                ),
            ],
        ),
        WpItem(
            11,
            "https://blog.example.org/2016/05/closed-post/",
            comment_status="closed",
            comments=[WpComment(20, "Before it closed.", "2016-05-02 09:00:00", "Ana", "ana@example.org")],
        ),
        WpItem(12, "https://blog.example.org/nav", post_type="nav_menu_item", comment_status="closed"),
    ]


def big_disqus(path: Path, comments: int = 50_000, threads: int = 500) -> Path:
    """A Disqus export of `comments` comments over `threads` threads, a third of them replies,
    one in twenty spam, written straight to `path` (it is never held in memory)."""
    thread_list = [
        DisqusThread(f"{100000 + t}", f"https://news.example.com/{2010 + t % 15}/story-{t}/", "")
        for t in range(threads)
    ]

    def posts() -> Iterator[DisqusPost]:
        for n in range(comments):
            thread = thread_list[n % threads].dsq_id
            parent = f"{5000000 + n - threads}" if n >= threads and n % 3 == 0 else None
            yield DisqusPost(
                f"{5000000 + n}",
                thread,
                f"<p>Comment number {n} on this story, with a few words &amp; an entity.</p>"
                "<p>A second paragraph.</p>",
                T0 + timedelta(seconds=37 * n),
                f"Reader {n % 2000}",
                f"reader{n % 2000}@example.org" if n % 4 else None,
                f"reader{n % 2000}" if n % 2 else None,
                parent=parent,
                spam=n % 20 == 7,
            )

    with open(path, "w", encoding="utf-8") as f:
        for chunk in disqus_chunks(thread_list, posts()):
            f.write(chunk)
    return path
