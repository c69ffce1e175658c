"""The moderation API (behind the JWT authorizer; the handler checks the moderators group)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from comments.api import moderation as api

logger = Logger()
app = APIGatewayHttpResolver()
api.install_error_handlers(app, logger, api.NO_STORE)


def moderators_only(app: APIGatewayHttpResolver, next_middleware):
    """Every route: the caller must be a moderator (401/403 otherwise), and no answer is cached."""
    app.append_context(moderator=api.moderator(app.current_event.raw_event))
    answer = next_middleware(app)
    answer.headers.update(api.NO_STORE)
    return answer


app.use(middlewares=[moderators_only])


def _event():
    return app.current_event.raw_event


@app.get("/moderation/queue")
def claim():
    return api.claim(_event())


@app.get("/moderation/queue/depth")
def depth():
    return api.queue_depth()


@app.post("/moderation/comments/<commentId>/decision")
def decide(commentId: str):
    return api.decide(commentId, _event(), app.context["moderator"])


@app.post("/moderation/comments/<commentId>/release")
def release(commentId: str):
    return api.release(commentId, _event())


@app.post("/moderation/comments/<commentId>/renew")
def renew(commentId: str):
    return api.renew(commentId, _event())


@app.post("/moderation/comments/<commentId>/reopen")
def reopen(commentId: str):
    return api.reopen(commentId, _event(), app.context["moderator"])


@app.get("/moderation/comments/<commentId>")
def detail(commentId: str):
    return api.detail(commentId)


@app.get("/moderation/dlq")
def dead_letters():
    return api.dead_letter_list(_event())


@app.post("/moderation/dlq/redrive")
def redrive():
    return api.dead_letter_redrive()


@app.put("/moderation/articles/<articleId>")
def article_settings(articleId: str):
    return api.article_settings(articleId, _event())


@app.post("/moderation/authors/export")
def export_author():
    return api.export_author(_event())


@app.post("/moderation/authors/erase")
def erase_author():
    return api.erase_author(_event(), app.context["moderator"])


@app.get("/moderation/policy/stats")
def policy_stats():
    return api.policy_stats(_event())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return api.resolve(app, event, context)
