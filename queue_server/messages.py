"""Messages for people, Chinese first, English on request.

Keys are the stable error codes of `engine.errors` and of the web layer; templates
take the exception's params. `pick_language` reads an Accept-Language header.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # code: (简体中文, English)
    "invalid_input": ("请求内容有误：{detail}", "Invalid request: {detail}"),
    "invalid_json": ("请求体必须是 JSON 对象", "The request body must be a JSON object"),
    "not_found": ("找不到该资源", "Not found"),
    "unknown_site": ("没有这个网点：{site}", "No such site: {site}"),
    "unknown_service": ("没有这个事项：{service}", "No such service: {service}"),
    "unknown_bundle": ("没有这个“一件事”：{bundle}", "No such one-thing bundle: {bundle}"),
    "unknown_counter": ("没有这个窗口：{counter}", "No such counter: {counter}"),
    "unknown_ticket": ("没有这张号票", "No such ticket"),
    "not_offered": ("本网点不办理该事项：{item}", "This site does not offer {item}"),
    "site_closed": (
        "当前不在办公时间，下次开始取号：{reopens}",
        "The site is closed now; tickets again from {reopens}",
    ),
    "outside_issuing_window": (
        "该事项取号时间为 {start}–{end}",
        "Tickets for this service are issued {start}–{end}",
    ),
    "past_last_ticket": (
        "已停止取号：该事项在下班前 {minutes} 分钟停止取号（{closes} 下班）",
        "No more tickets: this service stops {minutes} minutes before closing ({closes})",
    ),
    "daily_cap_reached": (
        "该事项今日号源（{cap} 个）已取完",
        "Today's {cap} tickets for this service are all taken",
    ),
    "person_limit_reached": (
        "您今天已取过该事项的号（每人每天限 {limit} 个），请勿重复取号",
        "You already hold today's tickets for this item (limit {limit} per person per day)",
    ),
    "request_id_reused": (
        "该请求编号已用于另一张号票",
        "This request id was already used for a different ticket",
    ),
    "invalid_transition": (
        "当前状态（{status}）不能执行“{action}”",
        "Cannot {action} while {status}",
    ),
    "counter_not_open": (
        "窗口未开放（{status}），不能{action}",
        "The counter is not open ({status}); cannot {action}",
    ),
    "counter_busy": ("请先办结或转出当前号票", "Finish or transfer the current ticket first"),
    "no_current_ticket": ("窗口当前没有号票", "The counter has no current ticket"),
    "already_rated": ("这张号票已经评价过了", "This ticket has already been rated"),
    "not_rateable": (
        "办结后才能评价（当前状态：{status}）",
        "A ticket can be rated once it is finished (now {status})",
    ),
    "unauthorized": ("请先登录或提供有效令牌", "Log in or present a valid token"),
    "forbidden": ("无权执行此操作", "You may not do this"),
    "login_failed": ("用户名或密码错误", "Wrong username or password"),
    "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
    "payload_too_large": ("请求内容过大", "Request too large"),
    "internal_error": ("服务器内部错误，请稍后重试", "Internal server error; please retry"),
    "unsupported_media_type": ("请使用 application/json", "Use application/json"),
}


def pick_language(accept_language: str | None) -> str:
    """`en` when the client prefers English over Chinese, else `zh`."""
    if not accept_language:
        return "zh"
    best_lang, best_q = "zh", -1.0
    for part in accept_language.split(","):
        piece = part.strip().split(";")
        lang = piece[0].strip().lower()
        q = 1.0
        for param in piece[1:]:
            if param.strip().startswith("q="):
                try:
                    q = float(param.strip()[2:])
                except ValueError:
                    q = 0.0
        if lang.startswith(("zh", "en")) and q > best_q:
            best_lang, best_q = lang[:2], q
    return best_lang


class _Defaults(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "?"


def message(code: str, language: str = "zh", **params: Any) -> str:
    zh, en = MESSAGES.get(
        code, MESSAGES["invalid_input"] if code.startswith("invalid") else (code, code)
    )
    template = en if language == "en" else zh
    return template.format_map(_Defaults({k: v for k, v in params.items() if v is not None}))
