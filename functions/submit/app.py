"""POST /articles/{articleId}/comments and POST /articles/{articleId}/comments/validate."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from comments.api import submit as api

logger = Logger()
metrics = Metrics()
app = APIGatewayHttpResolver()
api.install_error_handlers(app, logger)


@app.post("/articles/<articleId>/comments")
def submit(articleId: str):
    return api.submit(
        articleId, app.current_event.raw_event, lambda_context=app.lambda_context, metrics=metrics
    )


@app.post("/articles/<articleId>/comments/validate")
def validate(articleId: str):
    return api.validate(articleId, app.current_event.raw_event)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def handler(event, context):
    return api.resolve(app, event, context)
