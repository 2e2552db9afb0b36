"""Words for people: one catalogue, Simplified Chinese first, English on request.

Every sentence hallqueue shows, answers or prints is one entry of `WORDS`,
`code: (简体中文, English)`: the API's errors, the pages, the kiosk's screens, the printed
ticket and the queue rules. Nothing else words things: the engine returns codes and
parameters (`engine.errors`, `engine.rules.describe_*`), and the edges say them here.
It lives in `wire` because the kiosk agent, which may import nothing else of the centre,
says its screens and tickets with it.

Why one Python table and not gettext `.po` files: the two languages stand side by side,
so a code without its English is seen in review and refused by a test
(`tests/queue_server/test_words.py`), and the kiosk PC needs neither Babel nor a compile
step. The codes are the ones API clients already match on.

A template takes named `{params}`. `say` fills it with `str.format` (a literal brace is
doubled): a missing parameter reads "?", a parameter named in `CODED_PARAMS` holds a code
(or a list of codes) said in the same language, and a parameter may itself be a phrase,
`(code, {params})`, said first. Pages and the kiosk screen get the raw templates of the
codes they name (`named_in`) and fill their `{name}`s themselves (`HQ.t`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

LANGUAGES = ("zh", "en")

WORDS: dict[str, tuple[str, str]] = {
    # code: (简体中文, English)
    # --- what the API answers: errors and refusals (queue_server/api/error_handlers.py) ----
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
    "site_owned_by_edge": (
        "该网点的排队由“{owner}”（站点边缘服务）负责：请在该站点操作",
        "This site's queues are run by “{owner}” (its station's edge centre): act there",
    ),
    "edge_gap": (
        "站点数据不连续：请从第 {since} 号事件之后重新发送",
        "The station's events would leave a gap: send again after event {since}",
    ),
    "edge_release_mismatch": (
        "站点与市中心的版本不一致（中心 {city}，站点 {station}）：请升级到同一版本",
        "The station and the city run different releases (city {city}, station {station}): upgrade to one",
    ),
    "site_not_owned": (
        "该站点边缘服务已不负责此网点的排队",
        "This edge centre no longer runs this site's queues",
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
    # self-service (queue_server/calling/self_service.py): what a kiosk may not claim
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
    # the password policy (queue_server/accounts/passwords.py), one rule at a time
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
    # coded parameters of the errors above (`CODED_PARAMS`)
    "why_policy": ("本网点规定过号作废，请重新取号", "this site voids missed tickets; take a new one"),
    "why_another_day": ("只能当天返回", "a missed ticket can only come back the same day"),
    "why_already_returned": ("已返回过一次", "it already came back once"),
    "missing_upper": ("大写字母", "capital letters"),
    "missing_lower": ("小写字母", "small letters"),
    "missing_digit": ("数字", "digits"),
    "missing_symbol": ("符号", "symbols"),
    "or_list_sep": ("、", " or "),
    # --- the kiosk agent's refusals: its local server (kiosk/local_guard.py) and its screen,
    # why no ticket can be taken now (kiosk/agent.py REFUSALS)
    "host_not_allowed": ("本机取号服务只接受本机地址的访问", "The kiosk only answers requests addressed to itself"),
    "origin_not_allowed": ("只有本机取号页面可以使用取号服务", "Only the kiosk's own page may use the kiosk"),
    "kiosk_header_missing": ("请求不是来自本机取号页面", "This request did not come from the kiosk's own page"),
    "centre_unreachable": (
        "暂时无法连接服务中心，正在重连… 暂停取号，请到服务台咨询；等候人数可能不是最新",
        "Cannot reach the service centre, reconnecting… No tickets now, please ask at the service desk; waiting counts may be out of date",
    ),
    "printer_out": ("打印机缺纸，暂停取号，请到服务台取号", "Printer out of paper: please ask at the service desk"),
    "printer_cover_open": ("打印机仓盖未关，暂停取号，请到服务台取号", "Printer cover open: please ask at the service desk"),
    "printer_offline": ("打印机故障，暂停取号，请到服务台取号", "Printer not working: please ask at the service desk"),
    "card_required": ("本大厅取号需刷身份证，请刷卡后再试", "An ID card is required to take a ticket here"),
    "unknown_item": ("该事项暂不可取号，请返回重选", "This service cannot be taken now"),
    "one_tap_off": ("请先选择要办理的事项", "Please choose a service first"),
    "not_elderly": ("请先选择要办理的事项", "Please choose a service first"),
    "card_gone": ("请重新刷身份证", "Please tap your ID card again"),
    # --- the queue rules, one sentence each (calling/rules_view.py says engine.rules' codes) ---
    "rule_mixing_priority_first": (
        "优先号（老年人、残疾人、准时预约等）优先叫号；任何人等候满 {minutes:g} 分钟即优先叫号。",
        "Priority tickets (elderly, disabled, on-time appointments) are called first; anyone who has waited {minutes:g} minutes is called before them.",
    ),
    "rule_mixing_in_turn": (
        "优先号与普通号按 {p}:{o} 交替叫号；任何人等候满 {minutes:g} 分钟即优先叫号。",
        "Priority and ordinary tickets are called in turn, {p} priority for every {o} ordinary; anyone who has waited {minutes:g} minutes is called first.",
    ),
    "rule_no_show": ("过号规则：{called}未到即为过号，{back}。", "Missed call: after being {called} without coming, {back}."),
    "rule_called_once": ("叫号 {calls} 次", "called {calls} time"),
    "rule_called_times": ("叫号 {calls} 次", "called {calls} times"),
    "rule_called_times_apart": ("叫号 {calls} 次（每次间隔 {interval} 秒）", "called {calls} times, {interval} s apart"),
    "rule_back_void": ("号票作废，请重新取号", "a missed ticket is void; please take a new one"),
    "rule_back_end": ("当天返回可重新排到队尾", "back the same day, you queue again at the end"),
    "rule_back_places": ("当天返回可顺延 {places} 位后办理", "back the same day, you go {places} places behind the next"),
    # the missed-call rule on one line of an 80 mm ticket: 24 Chinese characters, 48 Latin
    "rule_no_show_line_void": ("过号：{called}未到即作废", "Missed call: {called}, then void"),
    "rule_no_show_line": ("过号：{called}未到，当天返回{back}", "Missed call: {called}; back today: {back}"),
    "rule_line_called_once": ("叫{calls}次", "{calls} call"),
    "rule_line_called": ("叫{calls}次", "{calls} calls"),
    "rule_line_back_end": ("排队尾", "end of line"),
    "rule_line_back_places": ("顺延{places}位", "+{places} places"),
    "rule_appointment": (
        "预约号在预约时段前 {early} 分钟至后 {late} 分钟内到达视为准时。",
        "Appointments count as on time from {early} minutes before to {late} minutes after the slot.",
    ),
    # --- the pages (queue_server/pages): each gets the words its template and scripts name ---
    # shared
    "app_name": ("政务服务排队叫号", "Service hall queue"),
    "switch_lang": ("English", "中文"),
    "online": ("已连接", "Connected"),
    "offline": (
        "与服务中心的连接已中断，正在重连… 显示内容可能不是最新",
        "Connection to the service centre lost, reconnecting… What is shown may be out of date",
    ),
    "window_n": ("{n}号窗口", "Window {n}"),
    "minutes": ("分钟", "min"),
    "none": ("无", "none"),
    "loading": ("加载中…", "Loading…"),
    # statuses
    "status_waiting": ("等候中", "Waiting"),
    "status_called": ("已呼叫", "Called"),
    "status_serving": ("办理中", "Being served"),
    "status_done": ("已办结", "Done"),
    "status_no_show": ("已过号", "Missed (no-show)"),
    "status_cancelled": ("已取消", "Cancelled"),
    "status_unserved": ("未办理（当日已结束）", "Not served (the day ended)"),
    "state_open": ("服务中", "Open"),
    "state_paused": ("暂停服务", "Paused"),
    "state_closed": ("已关闭", "Closed"),
    "channel_kiosk": ("自助取号", "Kiosk"),
    "channel_appointment": ("预约", "Appointment"),
    "channel_staff": ("窗口代取", "Staff"),
    "channel_online": ("网上取号", "Online"),
    "channel_phone": ("电话预约", "Phone"),
    "priority_ordinary": ("普通", "Ordinary"),
    "priority_appointment": ("预约优先", "Appointment"),
    "priority_elderly": ("老年人优先", "Elderly"),
    "priority_disabled": ("残疾人优先", "Disabled"),
    "priority_assisted": ("帮代办", "Assisted"),
    "outcome_completed": ("即办件办结", "Completed on the spot"),
    "outcome_accepted": ("承诺件受理", "Accepted (commitment)"),
    "outcome_referred": ("移交他办", "Referred"),
    "outcome_materials_incomplete": ("材料不全", "Materials incomplete"),
    "reason_transfer": ("转入", "transferred"),
    "reason_max_wait": ("超时优先", "waited longest"),
    "reason_priority": ("优先", "priority"),
    "reason_longest_wait": ("顺序", "in turn"),
    "reason_out_of_order": ("点名叫号", "called out of turn"),
    # console
    "console_title": ("窗口叫号台", "Clerk console"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "site": ("网点", "Site"),
    "counter": ("窗口", "Window"),
    "choose_counter": ("选择窗口", "Choose a window"),
    "start_console": ("进入叫号", "Start"),
    "change_counter": ("切换窗口", "Change window"),
    "clerk": ("工作人员", "Clerk"),
    "current_ticket": ("当前号票", "Current ticket"),
    "no_current": ("当前无号票，按 N 或空格叫号", "No ticket. Press N or Space to call the next"),
    "item": ("事项", "Service"),
    "status": ("状态", "Status"),
    "channel": ("取号方式", "Channel"),
    "priority": ("类别", "Priority"),
    "waited": ("已等候", "Waited"),
    "person": ("办事人", "Citizen"),
    "note": ("备注", "Note"),
    "queues": ("本窗口队列", "Queues of this window"),
    "waiting": ("等候", "Waiting"),
    "oldest_wait": ("最长等候", "Longest wait"),
    "next_tickets": ("即将叫号", "Next tickets"),
    "today": ("今日我的数据", "My figures today"),
    "served": ("办结", "Served"),
    "on_the_spot": ("即办件", "On the spot"),
    "no_show": ("过号", "No-shows"),
    "transferred_out": ("本窗口转出", "Transferred out"),
    "avg_service": ("平均办理", "Avg. service"),
    "avg_wait": ("平均等候", "Avg. wait"),
    "rating_avg": ("好差评均分", "Avg. rating"),
    "act_call_next": ("叫号", "Call next"),
    "act_recall": ("重呼", "Recall"),
    "act_start": ("开始办理", "Start"),
    "act_finish": ("办结", "Finish"),
    "act_no_show": ("过号", "No-show"),
    "act_transfer": ("转办", "Transfer"),
    "act_pause": ("暂停", "Pause"),
    "act_open": ("开窗", "Open"),
    "act_close": ("关窗", "Close"),
    "shortcuts": (
        "快捷键：N/空格 叫号 · R 重呼 · S 开始 · F 办结 · X 过号 · T 转办 · P 暂停 · O 开窗 · C 关窗 · K 点名叫号 · B 过号返回 · I 代取号 · Y 确认优先 · Esc 取消",
        "Keys: N/Space call · R recall · S start · F finish · X no-show · T transfer · P pause · O open · C close · K call a ticket · B missed, back · I issue · Y confirm priority · Esc cancel",
    ),
    "finish_title": ("选择办结结果（按 1–4）", "Outcome (press 1–4)"),
    "pause_title": ("暂停原因（按 1–4 或输入）", "Reason for the pause (1–4 or type)"),
    "pause_lunch": ("午间休息", "Lunch break"),
    "pause_break": ("临时离开", "Short break"),
    "pause_consult": ("业务会商", "Consultation"),
    "pause_fault": ("系统故障", "System fault"),
    "pause_other": ("其他原因", "Other reason"),
    "transfer_title": ("转办到事项或窗口", "Transfer to a service or a window"),
    "to_service": ("转到事项", "To service"),
    "to_counter": ("转到窗口", "To window"),
    "close_confirm": ("确认关闭本窗口？（Enter 确认）", "Close this window? (Enter to confirm)"),
    "held_by": (
        "本窗口正由 {clerk} 使用：须其本人关闭，或由负责人接管后才能操作",
        "This window is held by {clerk}: they close it, or a manager takes it over",
    ),
    "take_over": ("接管窗口", "Take over"),
    "take_over_title": ("接管他人正在使用的窗口", "Take over a window another clerk holds"),
    "take_over_reason": ("接管原因（记录在案）", "Reason (on the record)"),
    "take_over_placeholder": ("例如：原窗口人员临时离岗未关窗", "e.g. the clerk left without closing the window"),
    "taken_over_msg": ("窗口已由 {clerk} 接管：{reason}", "Window taken over by {clerk}: {reason}"),
    "confirm": ("确定", "OK"),
    "cancel": ("取消", "Cancel"),
    "nobody_waiting": ("当前没有等候的号票", "Nobody is waiting for this window"),
    "called_msg": ("已呼叫 {number}", "Called {number}"),
    # console: the queue rules (call a particular ticket, missed calls, issue for someone)
    "act_call_ticket": ("点名叫号", "Call a ticket"),
    "act_return": ("过号返回", "Missed, back"),
    "act_issue": ("代取号", "Issue a ticket"),
    "call_reason": ("叫号依据", "Called for"),
    "calls": ("呼叫", "Calls"),
    "call_n_of": ("第 {n}/{of} 次呼叫", "call {n} of {of}"),
    "rule_recall_in": ("{s} 秒后可重呼", "recall in {s} s"),
    "rule_no_show_after": ("再呼叫 {n} 次后可标记过号", "a no-show after {n} more call(s)"),
    "rule_no_show_in": ("{s} 秒后可标记过号", "a no-show in {s} s"),
    "rule_no_show_ok": ("群众未到可标记过号", "a no-show may be recorded"),
    "call_ticket_title": ("点名叫号", "Call a particular ticket"),
    "call_pick_ticket": ("① 选择号票：即将叫号的，或输入号码查找", "① The ticket: one of the next, or find it by number"),
    "call_pick_reason": ("② 选择原因（按 1–6）后呼叫", "② The reason (press 1–6): it is called at once"),
    "number_placeholder": ("号码，如 A012", "Number, e.g. A012"),
    "find": ("查找", "Find"),
    "no_waiting_number": ("没有等候中的 {number}", "No waiting ticket {number}"),
    "chosen_ticket": ("已选 {number}", "Chosen: {number}"),
    "return_title": ("过号返回：今日过号的号票", "Missed today: back in line"),
    "no_missed": ("今日没有过号的号票", "No missed tickets today"),
    "no_missed_number": ("今日没有过号的 {number}", "No missed ticket {number} today"),
    "put_back": ("返回排队", "Back in line"),
    "returned_before": ("已返回过一次", "already back once"),
    "returned_place": ("{number} 过号返回，排在第 {place} 位后", "{number} is back after a missed call, behind place {place}"),
    "returned_end": ("{number} 过号返回，排到队尾", "{number} is back after a missed call, at the end of the line"),
    "issue_title": ("代取号：为群众取号", "Issue a ticket for a citizen"),
    "issue_item": ("事项 / “一件事”", "Service / bundle"),
    "issue_class": ("类别", "Class"),
    "issue_proxy": ("代办人（可选）", "Proxy (optional)"),
    "issue_submit": ("取号", "Issue"),
    "issue_left": ("今日剩余 {n}", "{n} left today"),
    "issue_again": ("再取一张", "Another ticket"),
    "issued_for": ("{item} · 前面 {n} 人 · 预计等候约 {m} 分钟", "{item} · {n} ahead · about {m} min"),
    "close_dialog": ("关闭", "Close"),
    # console: staff confirm priority; a citizen's own request for help (帮办)
    "act_priority": ("确认优先", "Confirm priority"),
    "priority_title": ("确认优先：核实群众情况后给予优先", "Confirm a priority class, once you have seen the citizen"),
    "priority_hint": (
        "自助取号机不能自选优先。按号码查找等候中的号票，选择类别并写明理由",
        "A kiosk cannot give priority. Find the waiting ticket by number, choose the class and say why",
    ),
    "priority_reason": ("理由", "Reason"),
    "priority_submit": ("确认优先", "Confirm"),
    "priority_done": ("{number} 已确认为“{cls}”", "{number} is now “{cls}”"),
    "help_for": ("帮办事项", "Help with"),
    # display
    "display_title": ("叫号显示屏", "Hall display"),
    "now_calling": ("正在呼叫", "Now calling"),
    "ticket_number": ("号码", "Number"),
    "go_to": ("请到", "Go to"),
    "recent_calls": ("最近叫号", "Recent calls"),
    "waiting_counts": ("等候人数", "Waiting"),
    "waiting_total": ("共 {n} 人等候", "{n} waiting in all"),
    "quotas_left": ("今日剩余号源", "Tickets left today"),
    "quota_full": ("已取完", "none left"),
    "paused_windows": ("暂停服务", "Paused"),
    "enable_sound": ("点击此处启用叫号声音", "Click here to enable call announcements"),
    "no_calls": ("请留意叫号", "Please watch for your number"),
    # phone page
    "ticket_title": ("我的号票", "My ticket"),
    "ahead": ("前面还有 {n} 人", "{n} ahead of you"),
    "estimated": ("预计等候约 {n} 分钟", "About {n} minutes to wait"),
    "go_to_window": ("请到 {n} 号窗口办理", "Please go to window {n}"),
    "being_served": ("正在 {n} 号窗口办理", "Being served at window {n}"),
    "rate_title": ("请对本次服务进行评价（好差评）", "Please rate this service"),
    "rated_thanks": ("感谢您的评价：{name}", "Thank you for your rating: {name}"),
    "rate_needs_key": (
        "办结后可评价：请扫描取号凭条上的二维码打开本页",
        "To rate, open this page by scanning the QR code on your printed ticket",
    ),
    "ticket_not_found": ("没有找到这张号票", "Ticket not found"),
    "updated": ("更新于", "Updated"),
    "rate_5": ("非常满意", "Very satisfied"),
    "rate_4": ("满意", "Satisfied"),
    "rate_3": ("基本满意", "Fairly satisfied"),
    "rate_2": ("不满意", "Dissatisfied"),
    "rate_1": ("非常不满意", "Very dissatisfied"),
    "phone_near": ("还有{n}位就到您了，请到大厅等候", "{n} more before you: please wait in the hall"),
    "phone_next": ("下一位就是您，请到大厅等候", "You are next: please wait in the hall"),
    "phone_recalled": ("再次呼叫：请到 {n} 号窗口办理", "Called again: please go to window {n}"),
    "phone_offline": ("网络连接中断，位置信息可能不是最新", "Network connection lost: the position may be out of date"),
    "phone_alerts_enable": ("开启提醒", "Turn on alerts"),
    "phone_alerts_hint": (
        "点击开启声音和振动提醒；快轮到您和叫到您时提醒，请保持本页面打开",
        "Tap to turn on sound and vibration when your turn is near and when you are called; keep this page open",
    ),
    "phone_alerts_on": ("提醒已开启：快轮到您和叫到您时手机会响铃并振动", "Alerts on: the phone beeps and vibrates when your turn is near and when you are called"),
    "phone_alerts_no_sound": ("本浏览器不能播放提示音，请留意本页面", "This browser cannot play the alert sound: please keep an eye on this page"),
    "phone_quota": ("今日剩余号源 {n}", "Tickets left today: {n}"),
    "phone_quota_next": ("下次可取号 {time}", "next tickets from {time}"),
    "phone_rules": ("排队规则", "Queue rules"),
    # manager's dashboard and reports (/manage, /manage/reports)
    "manage_title": ("网点实况", "Live status"),
    "city_title": ("全市总览", "City view"),
    "reports_title": ("统计报表", "Reports"),
    "all_sites": ("全部网点", "All sites"),
    "site_kind_hall": ("政务服务中心", "Service hall"),
    "site_kind_business_station": ("商圈驿站", "Mall station"),
    "site_kind_township_center": ("乡镇中心", "Township centre"),
    "site_kind_village_station": ("村服务站", "Village station"),
    # the start page (pages/start.py, templates/start.html)
    "start_title": ("首页", "Start"),
    "start_intro": (
        "本中心为市政务服务中心及各商圈驿站、乡镇和村便民服务站提供取号、叫号、显示和统计。请选择要使用的界面。",
        "This centre serves the city's service hall and its stations: tickets, calling, displays and reports. Pick the screen you need.",
    ),
    "start_open": ("打开", "Open"),
    "start_console_for": (
        "窗口工作人员使用：叫号、重呼、开始办理、办结、过号、转办、暂停和代取号，每个操作都有快捷键。用工作人员账号登录，再选择网点和窗口。",
        "For clerks at the windows: call the next ticket, recall, start, finish, mark a no-show, transfer, pause and issue for someone, each with a key. Log in with a staff account, then pick the site and the window.",
    ),
    "start_display_for": (
        "大厅墙上的叫号屏：大字显示正在呼叫的号码和窗口并语音播报，还显示最近叫号、各事项等候人数和通知。每个网点一块或多块。",
        "The screen on the hall's wall: the number being called and its window in large type, announced aloud, with the last calls, the waiting counts and the notice. One or more per site.",
    ),
    "start_display_token": (
        "叫号屏的地址须带设备令牌（…?token=令牌）。令牌在登记显示屏时生成，只显示一次：管理员在“系统管理 → 设备”登记一台显示屏（或在服务器上运行 hallqueue device add --kind display --site 网点），把令牌抄到这台显示屏的地址里。本页不显示任何令牌；在网点旁输入令牌即可打开该网点的叫号屏。",
        "A hall display's address carries its device token (…?token=TOKEN). The token is made when the display is enrolled and shown only then: an admin enrols a display under Administration → Devices (or runs hallqueue device add --kind display --site SITE on the server) and copies the token into that display's address. This page shows no token; type one beside a site to open that site's display.",
    ),
    "start_token": ("显示屏令牌", "Display token"),
    "start_wall": ("大屏", "Wall"),
    "start_small": ("小屏（驿站）", "Small (station)"),
    "start_phone": ("扫码查看排队进度", "The ticket's phone page"),
    "start_phone_for": (
        "群众用手机扫描号票上的二维码打开，无需登录：显示号码、前面还有几人、预计等候时间，快到和叫号时提醒，办结后可以评价（好差评）。每张号票有自己的地址，所以这里没有链接。",
        "Citizens open it by scanning the QR code on their ticket, with no login: the number, how many are ahead, the estimated wait, an alert when their turn is near and when it is called, and the rating (好差评) once served. Each ticket has its own address, so there is no link here.",
    ),
    "start_manage": ("网点实况与统计报表", "Live status and reports"),
    "start_manage_for": (
        "站长和管理人员使用：各网点当前等候、窗口状态和设备告警，全市总览，以及按日期和网点查询的统计报表（可导出 CSV、Excel）。",
        "For station managers: who is waiting now, the windows and device alerts of each site, the city view, and reports by dates and sites (CSV and Excel export).",
    ),
    "start_admin": ("系统管理", "Administration"),
    "start_admin_for": (
        "管理员使用：网点、事项目录、窗口、工作人员、设备、代办人员、网点设置和操作日志。站长登录后只能修改所辖网点的设置。",
        "For administrators: sites, the service catalogue, windows, staff, devices, agents, site settings and the audit log. A station manager who logs in sees only the settings of their sites.",
    ),
    "start_kiosk": ("自助取号机", "Kiosk"),
    "start_kiosk_for": (
        "取号机运行自己的程序（hallqueue kiosk），触摸屏显示取号机本机的 http://127.0.0.1:8700/，不由本中心提供。",
        "A kiosk runs its own agent (hallqueue kiosk); its touch screen shows http://127.0.0.1:8700/ on the kiosk PC itself, not a page of this centre.",
    ),
    "start_api": ("接口文档（OpenAPI）", "API (OpenAPI)"),
    "start_api_for": ("其他系统对接使用的 REST 接口说明。", "The REST API, for other systems."),
    "waiting_now": ("当前等候", "Waiting now"),
    "longest_wait": ("最长等候", "Longest wait"),
    "target_wait": ("目标等候", "Target wait"),
    "over_target": ("超时", "Over target"),
    "within_target": ("正常", "On target"),
    "over_target_below": ("下辖 {n} 个网点超时", "{n} site(s) below over target"),
    "issued_today": ("今日取号", "Issued today"),
    "done_today": ("今日办结", "Served today"),
    "no_show_today": ("今日过号", "No-shows today"),
    "open_counters": ("开放窗口", "Open windows"),
    "windows": ("窗口", "Windows"),
    "services_waiting": ("各事项等候", "Waiting per service"),
    "nobody_waits": ("当前无人等候", "Nobody is waiting"),
    "idle_since": ("空闲，自 {t}", "Idle since {t}"),
    "for_minutes": ("{n} 分钟", "{n} min"),
    "since_time": ("自 {t}", "since {t}"),
    "devices": ("设备", "Devices"),
    # a site its station's edge centre runs (reports/dashboard.py, edge/watch.py)
    "edge_online": ("站点边缘服务“{name}”在线，{at} 已同步", "Station centre “{name}” online, synced {at}"),
    "edge_offline": ("站点边缘服务“{name}”离线，自 {since} 起", "Station centre “{name}” offline since {since}"),
    "edge_station_online": ("与市中心连接正常，{at} 已同步", "Linked to the city, synced {at}"),
    "edge_station_offline": (
        "与市中心断开，自 {since} 起离线运行",
        "Cut off from the city since {since}: serving on its own",
    ),
    "edge_standby": ("站点边缘服务“{name}”待命：排队仍由市中心负责", "Station centre “{name}” standing by: the city runs the queues"),
    "edge_returning": ("正在交还市中心：等待“{name}”发送剩余事件", "Returning to the city: waiting for “{name}” to send the rest"),
    "edge_console_cut": (
        "与市中心的网络中断（自 {since} 起）：本站照常取号叫号，{n} 条记录将在恢复后自动上传",
        "The line to the city is down (since {since}): this station keeps issuing and calling; {n} records go up when it returns",
    ),
    "edge_backlog": ("{n} 条事件待同步", "{n} events waiting"),
    "edge_backlog_then": ("上次联系时 {n} 条事件待同步", "{n} events waiting at last contact"),
    "edge_clock_off": ("站点时钟偏差 {seconds} 秒", "Station clock off by {seconds} s"),
    "edge_config_at": ("配置副本为 {minutes} 分钟前", "Configuration copy {minutes} min old"),
    "edge_flag_online": ("站点在线", "Station online"),
    "edge_flag_offline": ("站点离线 {since} · 待同步 {n}", "Station offline {since} · {n} waiting"),
    "devices_ok": ("设备正常（{n} 台）", "Devices OK ({n})"),
    "device_alerts": ("设备告警", "Device alerts"),
    "alert_kiosk_offline": ("自助机离线", "Kiosk offline"),
    "alert_printer_near_end": ("打印纸将尽", "Printer paper low"),
    "alert_printer_out": ("打印机缺纸", "Printer out of paper"),
    "alert_printer_cover_open": ("打印机盖未关", "Printer cover open"),
    "alert_printer_offline": ("打印机离线", "Printer offline"),
    "alert_id_reader_absent": ("身份证读卡器未连接", "ID card reader missing"),
    "kind_kiosk": ("自助取号机", "Kiosk"),
    "kind_display": ("显示屏", "Display"),
    "kind_sign": ("窗口屏", "Window sign"),
    "last_seen": ("最后上报", "Last report"),
    "sites_over_target": ("超时网点", "Sites over target"),
    "subtree_total": ("含下辖合计", "With sites below"),
    "this_site": ("本网点", "This site"),
    "manager_login": ("管理人员登录", "Manager login"),
    "not_manager": ("该账号不是管理人员", "This account is not a manager"),
    "date_from": ("开始日期", "From"),
    "date_to": ("结束日期", "To"),
    "query": ("查询", "Show"),
    "print": ("打印", "Print"),
    "download_csv": ("CSV", "CSV"),
    "download_xlsx": ("Excel", "Excel"),
    "summary_figures": ("汇总指标", "Summary"),
    "r_by_day": ("每日取号与办结", "Tickets per day"),
    "r_by_hour": ("分时段取号", "Tickets per hour"),
    "r_by_weekday": ("按星期取号", "Tickets per weekday"),
    "r_by_site": ("各网点业务量", "Throughput per site"),
    "r_by_department": ("各部门业务量", "Throughput per department"),
    "r_by_counter": ("各窗口业务量", "Throughput per window"),
    "r_by_clerk": ("工作人员业务量", "Throughput per clerk"),
    "r_times": ("各事项等候与办理时间（分钟）", "Waiting and service times per service (min)"),
    "r_outcomes": ("办结结果构成（即办件占比）", "Outcome mix (on-the-spot share)"),
    "r_ratings": ("好差评分布", "Ratings (好差评)"),
    "r_channels": ("取号渠道构成", "Channel mix"),
    "r_heatmap": ("到达热力图（时段 × 星期）", "Arrivals: hour × weekday"),
    "no_data": ("该范围内没有数据", "No data in this range"),
    "generated": ("生成于", "Generated"),
    "m_issued": ("取号", "Issued"),
    "m_served": ("办结", "Served"),
    "m_no_show": ("过号", "No-shows"),
    "m_cancelled": ("取消", "Cancelled"),
    "m_unserved": ("未办理", "Unserved"),
    "m_transfers": ("转办", "Transfers"),
    "m_recalls": ("重呼", "Recalls"),
    "m_no_show_rate": ("过号率", "No-show rate"),
    "m_on_the_spot_share": ("即办件占比", "On-the-spot share"),
    "m_within_target_share": ("目标时间内叫号占比", "Called within target"),
    "m_wait_mean_minutes": ("平均等候（分钟）", "Mean wait (min)"),
    "m_wait_median_minutes": ("等候中位数（分钟）", "Median wait (min)"),
    "m_wait_p90_minutes": ("等候 P90（分钟）", "P90 wait (min)"),
    "m_service_mean_minutes": ("平均办理（分钟）", "Mean service (min)"),
    "m_service_median_minutes": ("办理中位数（分钟）", "Median service (min)"),
    "m_service_p90_minutes": ("办理 P90（分钟）", "P90 service (min)"),
    "m_rated": ("评价数", "Ratings"),
    "m_satisfaction_rate": ("满意率", "Satisfaction rate"),
    # administration (/admin, pages/admin.py)
    "adm_title": ("系统管理", "Administration"),
    "adm_login": ("管理员登录", "Admin login"),
    "adm_manager_only_settings": (
        "站长可在“设置”中调整本网点的等候、播报和排队规则；其他管理功能需管理员账号",
        "A site manager sets the site's waits, announcements and queue rules under Settings; the rest needs an admin account",
    ),
    "adm_not_admin": ("该账号不是管理员或站长", "This account is neither an admin nor a site manager"),
    "adm_nav_sites": ("网点", "Sites"),
    "adm_nav_catalog": ("事项目录", "Catalogue"),
    "adm_nav_counters": ("窗口", "Windows"),
    "adm_nav_staff": ("工作人员", "Staff"),
    "adm_nav_devices": ("设备", "Devices"),
    "adm_nav_settings": ("网点设置", "Site settings"),
    "adm_nav_audit": ("操作日志", "Audit log"),
    "adm_save": ("保存", "Save"),
    "adm_saved": ("已保存", "Saved"),
    "adm_new": ("新建", "New"),
    "adm_edit": ("编辑", "Edit"),
    "adm_add_row": ("添加一行", "Add a row"),
    "adm_remove": ("删除", "Remove"),
    "adm_fix_fields": ("请修改标红的项目", "Please fix the fields marked in red"),
    "adm_choose_site": ("选择网点", "Choose a site"),
    "adm_site_tree": ("网点层级", "Site tree"),
    "adm_site_form": ("网点信息", "Site"),
    "adm_new_site": ("新建网点", "New site"),
    "adm_id": ("编号", "Id"),
    "adm_name": ("名称", "Name"),
    "adm_name_en": ("英文名称", "English name"),
    "adm_kind": ("类型", "Kind"),
    "adm_parent": ("上级网点", "Parent site"),
    "adm_no_parent": ("（无，顶级）", "(none, top level)"),
    "adm_timezone": ("时区", "Time zone"),
    "adm_hours": ("办公时间", "Opening hours"),
    "adm_hours_help": (
        "每天：上班、午休开始、午休结束、下班；无午休则留空午休；不勾选为休息日",
        "Per day: opens, lunch starts, lunch ends, closes; leave lunch empty if none; unticked = closed",
    ),
    "adm_open_day": ("办公", "Open"),
    "adm_opens": ("上班", "Opens"),
    "adm_lunch_from": ("午休开始", "Lunch from"),
    "adm_lunch_to": ("午休结束", "Lunch to"),
    "adm_closes": ("下班", "Closes"),
    "adm_always_open": ("全天开放（不限时间）", "Always open (no hours)"),
    "day_mon": ("星期一", "Monday"),
    "day_tue": ("星期二", "Tuesday"),
    "day_wed": ("星期三", "Wednesday"),
    "day_thu": ("星期四", "Thursday"),
    "day_fri": ("星期五", "Friday"),
    "day_sat": ("星期六", "Saturday"),
    "day_sun": ("星期日", "Sunday"),
    "adm_kind_hall": ("政务服务大厅", "Service hall"),
    "adm_kind_business_station": ("商圈便民驿站", "Business-district station"),
    "adm_kind_township_center": ("乡镇便民服务中心", "Township centre"),
    "adm_kind_village_station": ("村便民服务站", "Village station"),
    "adm_offerings": ("本网点办理的事项", "Services offered here"),
    "adm_offerings_help": ("勾选本网点可以取号的事项和“一件事”", "Tick what citizens can take tickets for here"),
    "adm_services": ("事项", "Services"),
    "adm_bundles": ("“一件事”", "Bundles"),
    "adm_code": ("编码", "Code"),
    "adm_department": ("部门", "Department"),
    "adm_domain": ("领域", "Domain"),
    "adm_prefix": ("号码字头", "Ticket prefix"),
    "adm_on_the_spot": ("即办件", "Completed on the spot"),
    "adm_commitment": ("可告知承诺", "Commitment allowed"),
    "adm_conditions": ("办理条件（每行一条）", "Conditions (one per line)"),
    "adm_materials": ("所需材料（每行一条）", "Materials (one per line)"),
    "adm_legal_limit": ("法定时限（天）", "Legal time limit (days)"),
    "adm_expected_minutes": ("预计办理（分钟）", "Expected minutes"),
    "adm_issue_window": ("取号时段（如 09:00-16:00）", "Issuing window (e.g. 09:00-16:00)"),
    "adm_last_ticket": ("下班前停止取号（分钟）", "Stop issuing before closing (min)"),
    "adm_daily_cap": ("每日号源上限", "Daily cap"),
    "adm_bundle_services": ("包含事项（编码，用 | 分隔）", "Services (codes separated by |)"),
    "adm_description": ("说明", "Description"),
    "adm_import": ("导入", "Import"),
    "adm_export_json": ("导出 JSON", "Export JSON"),
    "adm_export_csv": ("导出 CSV", "Export CSV"),
    "adm_import_title": ("导入事项目录（JSON 含事项和“一件事”；CSV 仅事项）", "Import the catalogue (JSON: services and bundles; CSV: services)"),
    "adm_import_text": ("文件内容", "File content"),
    "adm_import_file": ("选择文件", "Choose a file"),
    "adm_format": ("格式", "Format"),
    "adm_imported": ("已导入：{s} 个事项、{b} 个“一件事”，其中有变化 {c} 项", "Imported {s} services and {b} bundles; {c} changed"),
    "adm_counter_list": ("窗口列表", "Windows"),
    "adm_counter_form": ("窗口", "Window"),
    "adm_number": ("窗口号", "Window number"),
    "adm_number_invalid": ("窗口号须为 1–999 的整数", "A window number is a whole number from 1 to 999"),
    "adm_counter_kind_comprehensive": ("综合窗口", "Comprehensive"),
    "adm_counter_kind_domain": ("分领域综合窗口", "Domain window"),
    "adm_counter_kind_one_thing": ("“一件事”专窗", "One-thing window"),
    "adm_counter_kind_assisted": ("帮代办窗口", "Assisted service"),
    "adm_profile": ("办理事项及权重", "Service profile and weights"),
    "adm_profile_help": (
        "权重越大，该事项在本窗口叫号时分到的份额越多（0–100）",
        "A larger weight gives the item a larger share of this window's calls (0–100)",
    ),
    "adm_item": ("事项 / “一件事”", "Service / bundle"),
    "adm_weight": ("权重", "Weight"),
    "adm_state": ("状态", "State"),
    "adm_staff_list": ("工作人员", "Staff"),
    "adm_add_staff": ("添加工作人员", "Add a staff member"),
    "adm_username": ("用户名", "Username"),
    "adm_password": ("密码（至少 10 位）", "Password (10+ characters)"),
    "adm_password_help": (
        "至少 10 位，含大写字母、小写字母、数字、符号中的三类，不含用户名，不用常见密码",
        "10+ characters, three of capitals, small letters, digits and symbols, not the username, not a common password",
    ),
    "adm_locked": ("已锁定（连续登录失败）", "Locked (failed logins)"),
    "adm_unlock": ("解锁", "Unlock"),
    "adm_unlocked": ("已解锁，该用户可以重新登录", "Unlocked; the user may log in again"),
    "adm_new_password": ("新密码", "New password"),
    "adm_display_name": ("姓名", "Name"),
    "adm_role": ("角色", "Role"),
    "adm_role_admin": ("管理员", "Admin"),
    "adm_role_manager": ("站长/管理人员", "Manager"),
    "adm_role_clerk": ("窗口人员", "Clerk"),
    "adm_sites": ("所属网点", "Sites"),
    "adm_sites_help": ("管理员不选网点即管理全部网点；含下级网点", "An admin with no site manages all sites; sites below are included"),
    "adm_active": ("启用", "Active"),
    "adm_inactive": ("已停用", "Deactivated"),
    "adm_deactivate": ("停用", "Deactivate"),
    "adm_activate": ("启用", "Activate"),
    "adm_reset_password": ("重置密码", "Reset password"),
    "adm_password_reset": ("密码已重置，该用户需重新登录", "Password reset; the user must log in again"),
    "adm_device_list": ("已登记设备", "Enrolled devices"),
    "adm_enrol": ("登记设备", "Enrol a device"),
    "adm_device_kind": ("设备类型", "Device kind"),
    "adm_device_kind_kiosk": ("自助取号机", "Kiosk"),
    "adm_device_kind_display": ("叫号显示屏", "Hall display"),
    "adm_device_kind_sign": ("窗口屏", "Window sign"),
    "adm_device_counter": ("所在窗口（仅窗口屏）", "Window (signs only)"),
    "adm_device_counter_help": (
        "窗口屏的评价器只能评价本窗口办结的号票",
        "A sign's evaluator rates only the tickets its window served",
    ),
    "adm_window_n": ("{n}号窗口", "window {n}"),
    "adm_token_once": (
        "设备令牌（只显示这一次，请立即复制到设备配置中）：",
        "Device token (shown this once: copy it into the device's configuration now):",
    ),
    "adm_created": ("登记时间", "Enrolled"),
    "adm_last_seen": ("最后上报", "Last seen"),
    "adm_revoke": ("吊销", "Revoke"),
    "adm_revoked": ("已吊销", "Revoked"),
    "adm_revoke_confirm": ("吊销后该设备立即无法使用，确定？", "The device stops working at once. Revoke?"),
    "adm_settings_for": ("网点设置", "Settings of the site"),
    "set_target_wait_minutes": ("目标等候时间（分钟）", "Target wait (minutes)"),
    "set_target_wait_minutes_help": ("报表按此统计达标率", "Reports measure the share served within it"),
    "set_max_wait_minutes": ("最长等候（分钟）", "Longest wait (minutes)"),
    "set_max_wait_minutes_help": ("等候超过此时间的号优先叫", "Tickets waiting longer are called first"),
    "set_identification": ("身份证识别", "ID card identification"),
    "set_identification_off": ("不读卡", "Off"),
    "set_identification_optional": ("可选", "Optional"),
    "set_identification_required": ("必须刷身份证", "Required"),
    "set_elderly_age": ("老年人优先年龄", "Elderly priority from age"),
    "set_elderly_age_help": ("默认 65 岁", "Default 65"),
    "set_daily_limit_per_person": ("每人每天每事项取号上限", "Tickets per person per item per day"),
    "set_daily_limit_per_person_help": ("留空为不限（需要刷身份证才能生效）", "Empty: no limit (needs ID cards)"),
    "set_personal_data_days": ("个人信息保存天数", "Personal data kept (days)"),
    "set_personal_data_days_help": (
        "30–1095，默认 180：超过后清除取号记录中的身份证摘要、脱敏姓名和转办备注，停用代办人的身份；统计数字不变",
        "30–1095, default 180: then tickets lose the card hash, masked name and transfer note, and deactivated proxies their identity; report figures stay the same",
    ),
    "set_elderly_one_tap": ("老年人一键取号事项", "Elderly one-tap item"),
    "set_elderly_one_tap_help": (
        "达到老年人优先年龄的群众在取号机首页刷身份证，直接取该事项的号（需读身份证）",
        "A citizen of the elderly age who taps their ID card on the kiosk's home screen gets a ticket for this item (needs ID cards)",
    ),
    "set_elderly_one_tap_none": ("不启用（刷卡只识别身份）", "None (a tap only identifies)"),
    "set_help_item": ("帮办代办事项", "Help (帮办) item"),
    "set_help_item_help": (
        "群众在取号机勾选“需要帮办协助”时取该事项的号（到帮代办窗口，不优先），号票上注明原办事项",
        "A citizen who ticks “I need help” at a kiosk gets a ticket for this item (the assisted window, no priority); the ticket names the item they came for",
    ),
    "set_help_item_none": ("不设（按原事项取号，注明需要帮办）", "None (the item itself, marked as help requested)"),
    "set_require_id_for_capped": ("限量事项须刷身份证", "ID card for capped items"),
    "set_require_id_for_capped_help": (
        "每日限量的事项在取号机上必须刷身份证取号，以执行每人限取（防黄牛）；窗口代取号不受影响",
        "At a kiosk, items with a daily cap need an ID card, so the per-person limits apply (against ticket touts); staff issuing are not held",
    ),
    "set_announce_template": ("叫号播报模板", "Announcement (Mandarin)"),
    "set_announce_template_help": (
        "必须包含 {number}（号码）和 {window}（窗口号），可用 {window_name}；留空用默认“请{number}号到{window}号窗口办理”",
        "Must contain {number} and {window}; {window_name} may be used; empty: the default",
    ),
    "set_announce_template_en": ("英文播报模板", "Announcement (English)"),
    "set_announce_english": ("普通话后再播英文", "Also announce in English"),
    "set_announce_times": ("每次播报遍数（1–3）", "Times to say each call (1–3)"),
    "set_notice": ("显示屏通知", "Display notice line"),
    "set_notice_en": ("显示屏通知（英文）", "Display notice line (English)"),
    "set_rating_window_hours": ("扫码评价时限（办结后小时数）", "Phone rating window (hours after service)"),
    "set_rating_window_hours_help": (
        "群众扫取号凭条二维码评价的期限，默认 24 小时；窗口评价器只在办结后 10 分钟内有效",
        "How long after the end of service the ticket's QR takes a rating (default 24 h); the window's evaluator only within 10 minutes",
    ),
    "set_mix": ("优先号 : 普通号", "Priority : ordinary"),
    "set_mix_priority": ("优先号", "priority"),
    "set_mix_ordinary": ("普通号", "ordinary"),
    "set_mix_help": (
        "两类号都在等时，每叫 p 个优先号（老年人、残疾人、准时预约等）就叫 o 个普通号，如 1:2；留空则优先号总是先叫",
        "While both wait, p priority tickets (elderly, disabled, on-time appointments…) for every o ordinary, e.g. 1:2; empty: priority always first",
    ),
    "set_appointment_early_minutes": ("预约可提前签到（分钟）", "Appointments: check in from (minutes before)"),
    "set_appointment_early_minutes_help": ("默认 30 分钟", "Default 30"),
    "set_appointment_late_minutes": ("预约迟到仍算准时（分钟）", "Appointments: still on time (minutes after)"),
    "set_appointment_late_minutes_help": ("超过后按普通号排队，默认 15 分钟", "Later: an ordinary ticket; default 15"),
    "set_no_show_calls": ("过号前呼叫次数（1–5）", "Calls before a no-show (1–5)"),
    "set_no_show_interval_seconds": ("两次呼叫至少间隔（秒）", "Least time between calls (seconds)"),
    "set_no_show_return": ("过号后当天回来", "A missed ticket back the same day"),
    "set_no_show_return_end": ("重新排到队尾", "goes to the back"),
    "set_no_show_return_places": ("顺延几位后办理", "goes a few places back"),
    "set_no_show_return_none": ("作废，须重新取号", "is void: take a new one"),
    "set_no_show_return_k": ("位（1–20）", "places (1–20)"),
    "set_no_show_return_help": ("顺延 3 位：排在当时队首之后第 3 位", "3 places: third behind the head of its queue"),
    "set_walk_in_share": ("现场取号保留比例（0–1）", "Kept for walk-ins (0–1)"),
    "set_walk_in_share_help": (
        "有每日限额的事项，这部分号只留给现场来的群众，预约和网上取号不能占用；0.3 即三成",
        "Of a capped item's day, the share kept for people who come in person; 0.3 = 30 %",
    ),
    "adm_rules_title": ("叫号规则", "Calling rules"),
    "adm_rules_now": ("现行规则", "The rules now"),
    "adm_rules_now_help": ("显示屏、取号机和号票上的说法；保存后更新", "As displays, kiosks and tickets say them; updated on saving"),
    "adm_rules_proposed": ("拟用规则", "The proposed rules"),
    "adm_preview_title": ("预览效果：按新规则重放最近的叫号", "Preview: recent calls replayed under the new rules"),
    "adm_preview": ("预览效果", "Preview"),
    "adm_preview_days": ("按最近", "Over the last"),
    "adm_days_n": ("{n} 天", "{n} days"),
    "adm_preview_help": (
        "用上面填写的规则，按最近几天每个窗口实际叫号的时刻重新安排叫谁，与现行规则比较；不会保存",
        "Replays the real call moments of recent days with the rules filled in above, against the current rules; nothing is saved",
    ),
    "adm_preview_caption": (
        "{first} 至 {last}（{d} 天有记录）：{tickets} 张号票，{calls} 次叫号。现行 → 拟用：",
        "{first} to {last} ({d} days with history): {tickets} tickets, {calls} calls. Current → proposed:",
    ),
    "adm_preview_recorded": (
        "实际记录：平均等候 {avg} 分钟，90% 的人不超过 {p90} 分钟，最长 {max} 分钟，{n} 张未叫到",
        "As recorded: average wait {avg} min, 90 % within {p90} min, longest {max} min, {n} not called",
    ),
    "adm_preview_none": ("{first} 至 {last} 没有叫号记录，无法预览", "No calls recorded from {first} to {last}: nothing to replay"),
    "adm_preview_note": ("尚未保存：确认后请点“保存”", "Nothing is saved yet: press Save to apply"),
    "adm_group": ("类别", "Group"),
    "adm_group_ordinary": ("普通号", "Ordinary"),
    "adm_group_priority": ("优先号合计", "All priority"),
    "adm_group_all": ("全部", "Everyone"),
    "adm_called": ("叫号数", "Called"),
    "adm_avg_wait": ("平均等候（分钟）", "Average wait (min)"),
    "adm_p90_wait": ("90% 不超过（分钟）", "90 % within (min)"),
    "adm_longest_wait": ("最长等候（分钟）", "Longest wait (min)"),
    "adm_not_called": ("未叫到", "Not called"),
    "adm_counter_rules": ("本窗口规则", "This window's rules"),
    "adm_counter_rules_help": ("留空则按网点设置", "Empty: the site's setting"),
    "adm_site_rules": ("按网点设置", "as the site"),
    "adm_minutes_n": ("最长 {n} 分钟", "longest {n} min"),
    "adm_audit_title": ("操作日志", "Audit log"),
    "adm_all_kinds": ("全部类别", "All kinds"),
    "adm_when": ("时间", "When"),
    "adm_who": ("操作人", "Who"),
    "adm_action": ("操作", "Action"),
    "adm_target": ("对象", "Target"),
    "adm_change": ("变更（前 → 后）", "Change (before → after)"),
    "adm_more": ("更早的记录", "Older entries"),
    "adm_no_entries": ("暂无记录", "No entries"),
    "adm_address": ("来源地址", "From"),
    "adm_filter_who": ("操作人 / 登录用户名", "Who / username tried"),
    "adm_filter_address": ("来源地址", "Address"),
    "adm_filter": ("筛选", "Filter"),
    "audit_kind_site": ("网点", "Site"),
    "audit_kind_settings": ("网点设置", "Settings"),
    "audit_kind_offerings": ("网点事项", "Offerings"),
    "audit_kind_service": ("事项", "Service"),
    "audit_kind_bundle": ("“一件事”", "Bundle"),
    "audit_kind_catalog": ("目录导入", "Catalogue import"),
    "audit_kind_counter": ("窗口", "Window"),
    "audit_kind_staff": ("工作人员", "Staff"),
    "audit_kind_device": ("设备", "Device"),
    "audit_action_create": ("新建", "created"),
    "audit_action_update": ("修改", "changed"),
    "audit_action_import": ("导入", "imported"),
    "audit_action_deactivate": ("停用", "deactivated"),
    "audit_action_reset_password": ("重置密码", "password reset"),
    "audit_action_enrol": ("登记", "enrolled"),
    "audit_action_revoke": ("吊销", "revoked"),
    "audit_action_unlock": ("解锁账号", "unlocked"),
    # access on the record: logins, report reads, views of personal data
    "audit_kind_login": ("登录", "Login"),
    "audit_kind_report": ("报表", "Report"),
    "audit_kind_personal_data": ("查看个人信息", "Personal data"),
    "audit_action_login": ("登录成功", "logged in"),
    "audit_action_login_failed": ("登录失败", "login failed"),
    "audit_action_lock": ("登录失败，账号已锁定", "login failed; account locked"),
    "audit_action_login_locked": ("密码正确但账号已锁定，拒绝登录", "refused: account locked"),
    "audit_action_export": ("导出", "exported"),
    "audit_action_view": ("查看", "viewed"),
    "audit_kind_ticket": ("号票", "Ticket"),
    "audit_action_prioritize": ("确认优先", "priority confirmed"),
    # proxies (帮办代办) in the administration (static/admin_proxies.js)
    "adm_nav_proxies": ("代办人员", "Proxies"),
    "audit_kind_proxy": ("代办人员", "Proxy"),
    "adm_add_proxy": ("登记代办人员", "Register a proxy"),
    "adm_proxy_list": ("代办人员", "Proxies"),
    "adm_no_proxies": ("本网点尚未登记代办人员", "No proxies are registered at this site"),
    "adm_proxy_kind": ("类型", "Kind"),
    "adm_proxy_kind_staff": ("工作人员代办", "Staff proxy"),
    "adm_proxy_kind_registered": ("登记代办人（刷身份证）", "Registered proxy (ID card)"),
    "adm_proxy_account": ("账号 / 身份标识", "Account / card"),
    "adm_proxy_cap": ("每日上限", "Daily cap"),
    "adm_proxy_today": ("今日已取 / 上限", "Today / cap"),
    "adm_proxy_staff": ("工作人员账号", "Staff account"),
    "adm_proxy_id_number": ("身份证号码", "ID card number"),
    "adm_proxy_id_help": (
        "只登记一次：中心只保存号码的密钥散列，不保存、不显示号码本身",
        "Read once: the centre keeps only a keyed hash of the number, never the number itself",
    ),
    "adm_proxy_name_help": (
        "登记代办人的姓名只保存为“张*”；工作人员可不填（用其姓名）",
        "A registered proxy's name is kept masked (张*); for staff it may stay empty",
    ),
    "adm_proxy_help": (
        "代办人员为他人取号，按自己的每日上限计数，不受“每人每日限额”限制。工作人员代办：其在叫号台为群众取号时计入；登记代办人：在自助机刷本人身份证取号时计入。",
        "Proxies take tickets for others, counted against their own daily cap instead of the per-person limit. A staff proxy's tickets issued from the console count; a registered proxy's count when they tap their own ID card at a kiosk.",
    ),
    # the reports behind the queue rules (static/manage_watch.js)
    "r_heavy_holders": ("取号异常偏多（黄牛监测）", "Unusually many tickets (scalper watch)"),
    "r_heavy_identities": ("身份证", "ID cards"),
    "r_heavy_proxies": ("代办人员", "Proxies"),
    "r_heavy_help": (
        "列出单日取号超过本网点每人每日限额（未设置按 3 张）或区间内超过 {n} 张的身份证，以及所有代办人员的取号量。身份标识为身份证号码密钥散列的前 8 位，不是号码；已取消的号不计。",
        "ID cards that held more than the site's per-person daily limit (3 when unset) on one day or more than {n} in the range, and every proxy's tickets. The card mark is the first 8 characters of the number's keyed hash, not the number; cancelled tickets are not counted.",
    ),
    "r_range_limit": ("区间超过", "More than, in the range"),
    "r_over_day": ("单日超限", "over the daily limit"),
    "r_over_range": ("区间超量", "over the range limit"),
    "r_out_of_order": ("点名叫号（插号）按工作人员", "Out-of-order calls per clerk"),
    "r_out_of_order_latest": ("最近的点名叫号", "Latest out-of-order calls"),
    "ooo_returned_with_materials": ("补齐材料返回", "Returned with materials"),
    "ooo_appointment_on_time": ("预约准时到达", "Appointment on time"),
    "ooo_special_need": ("特殊困难", "Special need"),
    "ooo_joint_handling": ("联办转办衔接", "Joint handling"),
    "ooo_system_fault": ("系统故障补叫", "System fault"),
    "ooo_manager_instruction": ("现场负责人安排", "Manager's instruction"),
    "ooo_other": ("其他", "Other"),
    # the console's queue of transfers to its window (calling/counter_view.py)
    "queue_transferred_here": ("转入本窗口", "Transferred here"),
    # --- the kiosk's touch screen (kiosk/templates/kiosk.html, kiosk/static/kiosk.js) --------
    "kiosk_title": ("自助取号 · hallqueue", "Self-service tickets · hallqueue"),
    "kiosk_lang_switch": ("English", "中文"),
    "kiosk_bundles": ("“一件事”套餐 · 一次办好", "One-thing packages · all in one visit"),
    "kiosk_clear": ("清除", "Clear"),
    "kiosk_search": ("搜索事项：输入汉字或拼音首字母", "Search: Chinese or pinyin initials"),
    "kiosk_waiting": ("等候 {n} 人 · 约 {m} 分钟", "{n} waiting · about {m} min"),
    "kiosk_waiting_none": ("等候 0 人 · 无需等候", "0 waiting · no wait"),
    "kiosk_conditions": ("办理条件", "Conditions"),
    "kiosk_materials": ("所需材料", "Materials to bring"),
    "kiosk_none": ("无", "None"),
    "kiosk_back": ("返回", "Back"),
    "kiosk_take": ("取号", "Take a ticket"),
    "kiosk_next": ("下一步", "Next"),
    "kiosk_skip": ("不刷卡，直接取号", "Continue without ID card"),
    "kiosk_home": ("返回首页", "Home"),
    "kiosk_department": ("办理部门", "Department"),
    "kiosk_windows": ("办理窗口", "Windows"),
    "kiosk_window_label": ("{n}号", "{n}"),
    "kiosk_window_range": ("{first}–{last}号", "{first}–{last}"),
    "kiosk_list_sep": ("、", ", "),
    "kiosk_legal": ("法定时限 {d} 个工作日", "Legal time limit: {d} working day(s)"),
    "kiosk_window_hours": ("取号时间 {a}–{b}", "Tickets {a}–{b}"),
    "kiosk_on_spot": ("即办件：当场办结", "Completed on the spot"),
    "kiosk_commitment": ("可实行告知承诺制（部分证明以书面承诺代替）", "Signed commitment can replace some proofs (告知承诺)"),
    "kiosk_no_commitment": ("不适用告知承诺制", "No commitment option"),
    "kiosk_bundle_of": ("包含事项", "Includes"),
    "kiosk_now_waiting": ("当前等候 {n} 人，预计约 {m} 分钟", "{n} waiting now, about {m} min"),
    "kiosk_identify_title": ("请刷身份证", "Please tap your ID card"),
    "kiosk_identify_hint": ("请将身份证放在下方读卡区，读取后即可取号", "Place your ID card on the reader below"),
    "kiosk_identify_required": ("本大厅取号需刷身份证", "An ID card is required here"),
    "kiosk_identified": ("已识别", "Identified"),
    "kiosk_elderly": ("老年人优先", "Senior priority"),
    "kiosk_expired": ("证件已过期", "Card expired"),
    "kiosk_confirm_title": ("请确认取号", "Please confirm"),
    "kiosk_item": ("事项", "Service"),
    "kiosk_person": ("身份", "Identity"),
    "kiosk_anonymous": ("未刷卡", "No ID card"),
    "kiosk_need_help": ("我需要工作人员帮办协助", "I need help from staff"),
    "kiosk_confirm": ("确认取号", "Confirm"),
    "kiosk_your_number": ("您的号码", "Your number"),
    "kiosk_ahead": ("前面还有 {n} 人", "{n} ahead of you"),
    "kiosk_wait": ("预计等候约 {m} 分钟", "About {m} min"),
    "kiosk_window": ("请到{w}窗口", "Window {w}"),
    "kiosk_printing": ("正在打印号票…", "Printing your ticket…"),
    "kiosk_printed": ("请取走号票，留意叫号", "Please take your ticket"),
    "kiosk_done": ("完成（{s} 秒后返回首页）", "Done (home in {s} s)"),
    "kiosk_print_owed": (
        "打印机暂时无法出票：请记下您的号码，号票将在恢复后补打，或到服务台咨询",
        "The printer cannot print now: please note your number; the ticket will print when it is back, or ask at the service desk",
    ),
    "kiosk_pending_title": ("暂时无法连接服务中心", "Cannot reach the service centre"),
    "kiosk_pending_text": (
        "尚未为您取号。正在自动重试，连接恢复后会立即为您出号；您也可以到服务台取号。",
        "No ticket has been issued yet. Retrying automatically; you can also ask at the service desk.",
    ),
    "kiosk_refused_title": ("暂时不能取号", "No ticket now"),
    "kiosk_gone": ("本次取号已取消，请重新操作", "This request was cancelled; please start again"),
    "kiosk_loading": ("正在连接服务中心…", "Connecting to the service centre…"),
    "kiosk_quota_left": ("今日剩余 {n} 个", "{n} left today"),
    "kiosk_quota_full": ("今日号源已取完", "Today's tickets are all taken"),
    "kiosk_quota_next": ("下次取号时间：{s}", "Next tickets from {s}"),
    "kiosk_quota_full_text": ("该事项今天的号已经取完，今天不能再取号。", "All of today's tickets for this service have been taken."),
    "kiosk_rules_title": ("叫号规则：", "How numbers are called: "),
    "kiosk_one_tap_hint": (
        "{age} 岁及以上老人：直接刷身份证即可取号（{item}），不用选择",
        "Aged {age} or over? Just tap your ID card for a ticket ({item}), no menus",
    ),
    "kiosk_home_card": ("已读取身份证（{name}），请选择要办理的事项", "ID card read ({name}): please choose a service"),
    "kiosk_existing": ("您已取的号：{n}", "Your ticket: {n}"),
    "kiosk_help_hint": (
        "工作人员叫到您的号时会协助办理（不会因此提前叫号）",
        "Staff help you when your number is called (this does not move you up the line)",
    ),
    "kiosk_help_hint_item": (
        "将为您取“{item}”的号，到帮代办窗口由工作人员协助办理（不会因此提前叫号）",
        "You get a ticket for “{item}”: staff at the assisted window help you (this does not move you up the line)",
    ),
    # on the screen and on the printed ticket of a citizen who asked for help (帮办)
    "kiosk_help_for": ("帮办事项：{item}", "Help with: {item}"),
    "kiosk_id_required_note": ("该事项每日限量、每人限取，须刷身份证取号", "Limited per day and per person: this service needs your ID card"),
    "kiosk_id_reader_needed": (
        "该事项须刷身份证取号，本机暂不能读取身份证，请到服务台取号",
        "This service needs your ID card and this kiosk cannot read cards now: please ask at the service desk",
    ),
    # a time from the centre as the hall reads it (kiosk/catalogue.py local_moment)
    "local_moment": ("{month}月{day}日 {clock}", "{day} {month} {clock}"),
    "month_1": ("1", "Jan"),
    "month_2": ("2", "Feb"),
    "month_3": ("3", "Mar"),
    "month_4": ("4", "Apr"),
    "month_5": ("5", "May"),
    "month_6": ("6", "Jun"),
    "month_7": ("7", "Jul"),
    "month_8": ("8", "Aug"),
    "month_9": ("9", "Sep"),
    "month_10": ("10", "Oct"),
    "month_11": ("11", "Nov"),
    "month_12": ("12", "Dec"),
    # the catalogue's domains, as the kiosk's home screen lists them (kiosk/catalogue.py)
    "domain_comprehensive": ("综合", "General"),
    "domain_tax": ("税务", "Tax"),
    "domain_medical_insurance": ("医保", "Medical insurance"),
    "domain_social_security": ("人社", "Social security"),
    "domain_natural_resources": ("不动产", "Real estate"),
    "domain_exit_entry": ("出入境", "Exit & entry"),
    "domain_civil_affairs": ("民政", "Civil affairs"),
    "domain_household": ("户籍", "Household register"),
    "domain_housing_fund": ("公积金", "Housing fund"),
    "domain_traffic": ("交通", "Traffic"),
    "domain_assisted": ("帮代办", "Assisted service"),
    # --- calls: the display's announcement where the site set none (calling/board_view.py
    # board: the display speaks Mandarin, then English), and the window sign's text line
    # (displays/sign_agent.py; the sign shows Chinese)
    "announce_call": ("请{number}号到{window}号窗口办理", "Number {number}, please go to window {window}"),
    "sign_serving": ("正在办理", "Now serving"),
    "sign_paused": ("暂停服务", "Paused"),
    "sign_closed": ("窗口关闭", "Window closed"),
    "sign_lost": ("网络中断", "Network down"),
    # --- the printed ticket: the kiosk gives devices.escpos_ticket these labels -------------
    "printed_ahead": ("前面还有{n}人", "{n} ahead of you"),
    "printed_wait": ("预计等候约{m}分钟", "Est. wait about {m} min"),
    "printed_windows": ("办理窗口：", "Window: "),
    "printed_window_sep": ("、", ", "),
    "printed_materials": ("请备齐材料：", "Please bring:"),
    "printed_issued": ("取号时间：", "Issued: "),
    "printed_name": ("姓名：", "Name: "),
    "printed_scan": ("扫码查看排队进度", "Scan to follow the queue"),
    "printed_priority_elderly": ("老年人优先", "Priority: senior citizen"),
}

# A parameter of one of these names holds a code, or a list of codes, said with the prefix.
CODED_PARAMS: dict[str, str] = {"why": "why_", "missing": "missing_"}
LIST_JOINER = "or_list_sep"  # how a list of coded words is joined

Phrase = tuple[str, Mapping[str, Any]]  # a code and its parameters, as the engine returns them


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


def template(code: str, language: str = "zh") -> str:
    """The raw template of `code` in `language`; an unknown code reads as itself (and an
    unknown `invalid…` code as `invalid_input`'s words)."""
    fallback = WORDS["invalid_input"] if code.startswith("invalid") else (code, code)
    zh, en = WORDS.get(code, fallback)
    return en if language == "en" else zh


def _is_phrase(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], Mapping)
    )


def _said(name: str, value: Any, language: str) -> Any:
    if _is_phrase(value):
        return say(value[0], language, **value[1])
    prefix = CODED_PARAMS.get(name)
    if prefix is None:
        return value
    if isinstance(value, list | tuple):
        joiner = template(LIST_JOINER, language)
        return joiner.join(_coded(prefix, v, language) for v in value)
    return _coded(prefix, value, language)


def _coded(prefix: str, value: Any, language: str) -> str:
    code = f"{prefix}{value}"
    return template(code, language) if code in WORDS else str(value)


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def say(code: str, language: str = "zh", **params: Any) -> str:
    """`code` said in `language` with its parameters."""
    given = {k: _said(k, v, language) for k, v in params.items() if v is not None}
    return template(code, language).format_map(_Missing(given))


def texts(codes: Iterable[str], language: str = "zh") -> dict[str, str]:
    """The raw templates of `codes` (known ones) in `language`: what a page or a screen gets."""
    index = LANGUAGES.index(language)
    return {code: WORDS[code][index] for code in sorted(set(codes)) if code in WORDS}


# A code written in a script or a template: a string literal ("now_calling"), a Jinja
# attribute (`t.now_calling`), or a literal that starts a family ("status_" + status,
# `day_${day}`): every code it begins.
_LITERAL = re.compile(r"""(["'])([a-z][a-z0-9_]*)\1""")
_TEMPLATE_START = re.compile(r"`([a-z][a-z0-9_]*_)\$\{")
_JINJA_ATTRIBUTE = re.compile(r"\bt\.([a-z][a-z0-9_]*)")


def named_in(*sources: str) -> frozenset[str]:
    """The codes of `WORDS` that these sources (scripts, templates) name."""
    found: set[str] = set()
    prefixes: set[str] = set()
    for source in sources:
        for match in _LITERAL.finditer(source):
            word = match.group(2)
            if word in WORDS:
                found.add(word)
            elif word.endswith("_"):
                prefixes.add(word)
        prefixes.update(_TEMPLATE_START.findall(source))
        found.update(w for w in _JINJA_ATTRIBUTE.findall(source) if w in WORDS)
    if prefixes:
        found.update(code for code in WORDS if code.startswith(tuple(prefixes)))
    return frozenset(found)
