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
    "counter_held": (
        "{counter}号窗口正由 {holder} 使用：请其本人关闭窗口，或由负责人接管",
        "Window {counter} is held by {holder}: they close it, or a manager takes it over",
    ),
    "no_current_ticket": ("窗口当前没有号票", "The counter has no current ticket"),
    "walk_in_reserved": (
        "该事项今日可预约/线上号源已满，剩余 {reserved} 个号留给现场取号群众",
        "Today's bookable tickets for this item are taken; the last {reserved} are kept for people who come in person",
    ),
    "call_too_soon": (
        "按过号规则，请在 {seconds} 秒后再呼叫或标记过号",
        "By the missed-call rule, wait {seconds} s before calling again or marking a no-show",
    ),
    "no_show_too_early": (
        "按过号规则需呼叫 {needed} 次后才能标记过号（已呼叫 {calls} 次）",
        "By the missed-call rule a no-show needs {needed} calls (called {calls} times so far)",
    ),
    "return_not_allowed": (
        "该号不能过号返回（{why}）",
        "This ticket cannot go back in line ({why})",
    ),
    "appointment_too_early": (
        "预约号请于 {opens} 后签到取号",
        "Please check in for your appointment from {opens}",
    ),
    "one_active_ticket": (
        "您已有该事项的号票 {number}，正在排队或办理中，请勿重复取号",
        "You already hold ticket {number} for this item, waiting or being served",
    ),
    "proxy_cap_reached": (
        "代办人 {proxy} 今日取号已达上限（{cap} 个）",
        "Proxy {proxy} has taken today's {cap} tickets",
    ),
    "unknown_proxy": ("没有这个代办人：{proxy}", "No such proxy: {proxy}"),
    # self-service (queue_server/self_service.py): what a kiosk may not claim
    "priority_needs_staff": (
        "优先取号须由工作人员核实确认，自助取号机不能自选优先类别；需要帮助请勾选“帮办协助”或到服务台",
        "Priority is confirmed by staff: a kiosk cannot choose a priority class; ask for help or go to the service desk",
    ),
    "id_required_for_capped": (
        "该事项每日限量（{cap} 个）、每人限取，须刷身份证取号",
        "This service is limited per day ({cap} tickets) and per person: take its ticket with your ID card",
    ),
    "already_rated": ("这张号票已经评价过了", "This ticket has already been rated"),
    "not_rateable": (
        "办结后才能评价（当前状态：{status}）",
        "A ticket can be rated once it is finished (now {status})",
    ),
    "rating_closed": (
        "评价时间已过（办结后 {hours} 小时内可评价）",
        "Too late to rate: ratings are taken within {hours} hours of the end of service",
    ),
    "rating_wrong_window": (
        "评价器只能评价本窗口办理的号票",
        "An evaluator rates only the tickets served at its own window",
    ),
    "rating_key_invalid": (
        "请扫描取号凭条上的二维码进行评价",
        "Scan the QR code on your printed ticket to rate",
    ),
    "unauthorized": ("请先登录或提供有效令牌", "Log in or present a valid token"),
    "forbidden": ("无权执行此操作", "You may not do this"),
    "login_failed": ("用户名或密码错误", "Wrong username or password"),
    "too_many_attempts": (
        "登录失败次数过多，请 {retry_after} 秒后再试",
        "Too many failed logins; try again in {retry_after} seconds",
    ),
    "login_busy": (
        "登录请求过多，请 {retry_after} 秒后再试",
        "Too many logins at once; try again in {retry_after} seconds",
    ),
    "account_locked": (
        "该账号因连续 {failures} 次登录失败已被锁定，请联系管理员解锁",
        "This account is locked after {failures} failed logins in a row; ask an administrator to unlock it",
    ),
    "too_many_joins": (
        "加入过于频繁，请 {retry_after} 秒后再试",
        "Joining too often; try again in {retry_after} seconds",
    ),
    "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
    "payload_too_large": ("请求内容过大", "Request too large"),
    "internal_error": ("服务器内部错误，请稍后重试", "Internal server error; please retry"),
    "unsupported_media_type": ("请使用 application/json", "Use application/json"),
    # administration (queue_server/administration/changes.py): one field named, next to which
    # the admin pages show the message
    "field_required": ("请填写“{field}”", "{field} is required"),
    "field_text": ("“{field}”须为文字", "{field} must be text"),
    "field_too_long": ("“{field}”最多 {max} 个字符", "{field} must be at most {max} characters"),
    "field_one_line": ("“{field}”只能写一行", "{field} must be a single line"),
    "field_integer": ("“{field}”须为 {min}–{max} 之间的整数", "{field} must be a whole number from {min} to {max}"),
    "field_bool": ("“{field}”须为是或否", "{field} must be true or false"),
    "field_number": ("“{field}”须为 {min}–{max} 之间的数", "{field} must be a number from {min} to {max}"),
    "field_characters": ("“{field}”含有无法保存的字符", "{field} holds characters that cannot be stored"),
    "field_too_many": ("“{field}”的项目太多", "{field} has too many entries"),
    "field_unknown_field": ("没有这一项：{field}", "No such field: {field}"),
    "field_time": (
        "“{field}”须为带时区的时间（如 2026-11-28T09:30:00+08:00）",
        "{field} must be a time with its offset (e.g. 2026-11-28T09:30:00+08:00)",
    ),
    "field_date": ("“{field}”须为日期 YYYY-MM-DD", "{field} must be a date, YYYY-MM-DD"),
    "field_choice": ("“{field}”须为以下之一：{choices}", "{field} must be one of: {choices}"),
    "field_list": ("“{field}”须为列表", "{field} must be a list"),
    "field_nothing_reported": ("请报告打印机（printer）或身份证阅读器（id_reader）的状态", "Report printer and/or id_reader"),
    "field_form": ("“{field}”格式不对", "{field} has the wrong form"),
    "field_code": ("编码只能用字母、数字、_ . -（最多 32 个）", "A code is 1–32 letters, digits, _ . or -"),
    "field_site_id": (
        "网点编号须为 2–40 个小写字母、数字或连字符",
        "A site id is 2–40 lowercase letters, digits or hyphens",
    ),
    "field_username": (
        "用户名只能用字母、数字和 _ . @ -（最多 64 个）",
        "A username is 1–64 letters, digits, _ . @ or -",
    ),
    # the password policy (queue_server/passwords.py), one rule at a time
    "field_password": ("密码须为 {min}–{max} 个字符", "A password has {min}–{max} characters"),
    "field_password_classes": (
        "密码须包含大写字母、小写字母、数字、符号中的至少三类（现在缺少{missing}）",
        "A password needs three of: capital letters, small letters, digits, symbols (it has no {missing})",
    ),
    "field_password_username": ("密码不能包含用户名", "A password must not contain the username"),
    "field_password_common": (
        "这个密码太常见，容易被猜中，请换一个（例如不要用 Admin@123、P@ssw0rd 或“单词+数字”）",
        "This password is too common to be safe; choose another (not Admin@123, P@ssw0rd or a word and digits)",
    ),
    "field_taken": ("“{field}”已存在：{value}", "{field} already exists: {value}"),
    "field_unknown_site": ("没有这个网点：{value}", "No such site: {value}"),
    "field_unknown_item": ("没有这个事项或“一件事”：{value}", "No such service or bundle: {value}"),
    "field_not_offered": (
        "本网点未提供 {value}：请先在“网点事项”中加入",
        "{value} is not offered at this site: add it to the site's offerings first",
    ),
    "field_parent_cycle": ("上级网点不能是本网点或其下级网点", "The parent cannot be the site itself or a site below it"),
    "field_timezone": ("未知时区：{value}（例如 Asia/Shanghai）", "Unknown time zone: {value} (e.g. Asia/Shanghai)"),
    "field_hours_form": ("营业时间格式不对（{field}）", "Opening hours have the wrong form ({field})"),
    "field_weekday": ("未知星期：{field}", "Unknown weekday: {field}"),
    "field_clock": ("{field}：时间须为 HH:MM", "{field}: times must be HH:MM"),
    "field_span_order": ("{field}：结束时间须晚于开始时间", "{field}: each span must end after it starts"),
    "field_span_overlap": ("{field}：时段不能重叠（午休须在上午和下午之间）", "{field}: spans must not overlap (lunch lies between them)"),
    "field_template": (
        "播报模板须包含 {{number}}（号码）和 {{window}}（窗口号）",
        "The announcement must contain {{number}} and {{window}}",
    ),
    "field_placeholder": ("播报模板只能使用 {allowed}", "The announcement may only use {allowed}"),
    "field_below_target": ("最长等候须不少于目标等候时间", "The longest wait must be at least the target wait"),
    "field_unknown_setting": ("没有这项设置：{field}", "No such setting: {field}"),
    "field_mix": (
        "“{field}”须为两个 1–20 之间的整数（优先号 : 普通号），或留空表示优先号总是先叫",
        "{field} must be two whole numbers from 1 to 20 (priority : ordinary), or empty for priority first",
    ),
    "field_fraction": ("“{field}”须为 0–1 之间的数（如 0.3 即三成）", "{field} must be a number from 0 to 1 (e.g. 0.3 for 30 %)"),
    "field_no_show_return": (
        "“{field}”须为 end（排到队尾）、1–20（顺延位数）或 0（不能返回）",
        "{field} must be end (to the back), 1–20 (places) or 0 (no return)",
    ),
    "field_unknown_counter": ("没有这个窗口：{value}", "No such window: {value}"),
    "field_sign_only": ("只有窗口屏才登记所在窗口", "Only a window sign is enrolled for a window"),
    "field_profile_empty": ("窗口至少要办理一个事项或“一件事”", "A window serves at least one service or bundle"),
    "field_profile_duplicate": ("同一事项在窗口中只能出现一次", "Each service or bundle appears once in a profile"),
    "field_profile_entry": (
        "{field}：须选择一个事项或“一件事”，权重大于 0 且不超过 100",
        "{field}: choose one service or bundle, weight above 0 and at most 100",
    ),
    "field_catalog": ("{where}：{problem}", "{where}: {problem}"),
    "field_cat_required": ("{where}：必须填写 {name}", "{where}: {name} is required"),
    "field_cat_too_long": ("{where}：{name} 最多 {max} 个字符", "{where}: {name} must be text of at most {max} characters"),
    "field_cat_bool": ("{where}：{name} 须为 true 或 false（是/否）", "{where}: {name} must be true or false"),
    "field_cat_number": ("{where}：{name} 须为不小于 0 的数字", "{where}: {name} must be a number ≥ 0"),
    "field_cat_prefix": ("{where}：号码字头 prefix 须为一到两个大写字母", "{where}: prefix must be one or two capital letters"),
    "field_cat_issue_window": (
        "{where}：取号时段 issue_window 须写成 09:00-16:00，且结束晚于开始",
        "{where}: issue_window must look like 09:00-16:00 and end after it starts",
    ),
    "field_cat_positive": ("{where}：{name} 须大于 0", "{where}: {name} must be above 0"),
    "field_cat_list": ("{where}：{name} 须为文字列表", "{where}: {name} must be a list of text"),
    "field_cat_bundle_empty": ("{where}：“一件事”至少要包含一个事项", "{where}: a bundle needs at least one service"),
    "field_cat_unknown_services": ("{where}：没有这些事项：{codes}", "{where}: unknown services {codes}"),
    "field_cat_duplicate": ("{where}：编码 {code} 出现了两次", "{where}: code {code} appears twice"),
    "field_cat_json": ("{where}：不是有效的 JSON（{problem}）", "{where}: not valid JSON ({problem})"),
    "field_cat_columns": ("{where}：缺少列 {columns}", "{where}: missing columns {columns}"),
    "field_sites_needed": ("窗口人员和站长至少要有一个网点", "Managers and clerks need at least one site"),
    "field_self": ("不能停用自己的账号", "You cannot deactivate your own account"),
    "field_last_admin": ("这是最后一个管理员，不能停用或降级", "This is the last admin: it cannot be deactivated or demoted"),
    # proxies (帮办代办); an ID number is never repeated back
    "field_id_number": ("身份证号码格式不对", "This is not a valid ID card number"),
    "field_card_taken": ("这张身份证已登记为本网点的代办人", "This ID card is already registered as a proxy at this site"),
    "field_unknown_staff": ("没有这个在用的工作人员账号：{value}", "No active staff account: {value}"),
    "field_staff_not_at_site": ("该工作人员不在本网点工作：{value}", "This staff member does not work at this site: {value}"),
    "unknown_staff": ("没有这个工作人员：{username}", "No such staff member: {username}"),
    "unknown_device": ("没有这个设备：{device}", "No such device: {device}"),
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


# Coded parameters (the engine never words things) and their words.
PARAM_WORDS: dict[str, tuple[str, str]] = {
    "policy": ("本网点规定过号作废，请重新取号", "this site voids missed tickets; take a new one"),
    "another_day": ("只能当天返回", "a missed ticket can only come back the same day"),
    "already_returned": ("已返回过一次", "it already came back once"),
}


# Coded lists (a param that is a list of codes), each code said in the reader's language.
LIST_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "missing": {
        "upper": ("大写字母", "capital letters"),
        "lower": ("小写字母", "small letters"),
        "digit": ("数字", "digits"),
        "symbol": ("符号", "symbols"),
    },
}
_LIST_JOINERS = ("、", " or ")


def _say(key: str, value: Any, language: str) -> Any:
    english = language == "en"
    if key == "why" and value in PARAM_WORDS:
        return PARAM_WORDS[value][english]
    if key in LIST_WORDS and isinstance(value, list | tuple):
        words = LIST_WORDS[key]
        return _LIST_JOINERS[english].join(words[v][english] if v in words else str(v) for v in value)
    return value


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def message(code: str, language: str = "zh", **params: Any) -> str:
    zh, en = MESSAGES.get(
        code, MESSAGES["invalid_input"] if code.startswith("invalid") else (code, code)
    )
    template = en if language == "en" else zh
    params = {k: _say(k, v, language) for k, v in params.items()}
    return template.format_map(_Defaults({k: v for k, v in params.items() if v is not None}))
