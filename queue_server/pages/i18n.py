"""Words on the pages, Simplified Chinese first, English on request.

The language is `?lang=zh|en` (remembered in a cookie), else the cookie, else Chinese:
a hall screen must not change language because of a browser's settings.
"""

from __future__ import annotations

from flask import Response, request

LANGUAGES = ("zh", "en")
COOKIE = "hq_lang"

TEXT: dict[str, tuple[str, str]] = {
    # shared
    "app_name": ("政务服务排队叫号", "Service hall queue"),
    "switch_lang": ("English", "中文"),
    "online": ("已连接", "Connected"),
    "offline": ("连接中断，正在重连…", "Connection lost, reconnecting…"),
    "window_n": ("{n}号窗口", "Window {n}"),
    "minutes": ("分钟", "min"),
    "people": ("人", ""),
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
    "outcome_referred": ("转办/移交", "Referred"),
    "outcome_materials_incomplete": ("材料不全", "Materials incomplete"),
    "reason_transfer": ("转入", "transferred"),
    "reason_max_wait": ("超时优先", "waited longest"),
    "reason_priority": ("优先", "priority"),
    "reason_longest_wait": ("顺序", "in turn"),
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
        "快捷键：N/空格 叫号 · R 重呼 · S 开始 · F 办结 · X 过号 · T 转办 · P 暂停 · O 开窗 · C 关窗 · Esc 取消",
        "Keys: N/Space call · R recall · S start · F finish · X no-show · T transfer · P pause · O open · C close · Esc cancel",
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
    "confirm": ("确定", "OK"),
    "cancel": ("取消", "Cancel"),
    "nobody_waiting": ("当前没有等候的号票", "Nobody is waiting for this window"),
    "called_msg": ("已呼叫 {number}", "Called {number}"),
    # display
    "display_title": ("叫号显示屏", "Hall display"),
    "now_calling": ("正在呼叫", "Now calling"),
    "ticket_number": ("号码", "Number"),
    "go_to": ("请到", "Go to"),
    "recent_calls": ("最近叫号", "Recent calls"),
    "waiting_counts": ("等候人数", "Waiting"),
    "waiting_total": ("共 {n} 人等候", "{n} waiting in all"),
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
    "unknown_ticket": ("没有找到这张号票", "Ticket not found"),
    "updated": ("更新于", "Updated"),
    "rate_5": ("非常满意", "Very satisfied"),
    "rate_4": ("满意", "Satisfied"),
    "rate_3": ("基本满意", "Fairly satisfied"),
    "rate_2": ("不满意", "Dissatisfied"),
    "rate_1": ("非常不满意", "Very dissatisfied"),
}


def language() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    remembered = request.cookies.get(COOKIE)
    return remembered if remembered in LANGUAGES else "zh"


def texts(lang: str) -> dict[str, str]:
    index = LANGUAGES.index(lang)
    return {key: pair[index] or pair[0] for key, pair in TEXT.items()}


def remember(response: Response, lang: str) -> Response:
    if request.args.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="Lax")
    return response
