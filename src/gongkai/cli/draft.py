"""`gongkai draft`: an organ writes its own report, checks it, renders it, and files it with its superior.

The commands call `gongkai.filing.service`, as the web pages and the API do; `--user` names who acts, and that
user's roles in the organ or its superior office decide what they may do (`gongkai user grant`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gongkai.cli import app
from gongkai.cli.store_common import DbOption, store_or_exit

if TYPE_CHECKING:
    from gongkai.filing.drafts import Edit
    from gongkai.store.drafts import DraftRecord

draft_app = typer.Typer(help="撰写和报送本机关的年度报告：新建草稿、填写、核查、生成 Word/PDF、报送、审核、公开。",
                        no_args_is_help=True)
app.add_typer(draft_app, name="draft")

UserOption = Annotated[str, typer.Option("--user", envvar="GONGKAI_USER", help="操作的用户（其角色决定能做什么）")]
IdArgument = Annotated[int, typer.Argument(help="草稿编号（gongkai draft new 给出）")]
_OUT_HELP = "输出文件：.html、.docx 或 .pdf"
_SET_HELP = ("要填写的内容：表.行.列=数字（如 requests.granted.natural_person=3）、"
             "章节=@文件 或 章节=文字（如 overview=@总体情况.txt）、published=发布日期")


def _fail(exc: Exception) -> typer.Exit:
    from gongkai.filing.drafts import DraftError
    from gongkai.registers.errors import RegisterError

    if isinstance(exc, DraftError | RegisterError):
        print(f"{exc.message_zh}（{exc.code}）", file=sys.stderr)
        return typer.Exit(1)
    print(str(exc), file=sys.stderr)
    return typer.Exit(2)


def _office(store: object, name: str) -> object:
    from gongkai.store import registers as regs

    office = regs.get_office(store, name)  # type: ignore[arg-type]
    if office is None:
        print(f"还没有机关“{name}”：请先用 gongkai user grant 为它指定用户。", file=sys.stderr)
        raise typer.Exit(1)
    return office


def _summary(record: DraftRecord) -> None:
    from gongkai.filing.drafts import grid
    from gongkai.filing.workflow import STATUSES

    c = record.content
    cells = grid(c.format_id)
    filled = sum(1 for g in cells if c.value(g.table, g.row, g.column) is not None)
    written = sum(1 for text in c.sections.values() if text.strip())
    print(f"草稿 {record.id}：{c.title}（格式 {c.format_id}）— {STATUSES[record.status]}，第 {record.revision} 版")
    print(f"  表格已填 {filled}/{len(cells)} 格；章节已写 {written}/{len(c.sections)} 节；"
          f"发布日期 {c.published.isoformat() if c.published else '未填'}")
    _due_line(record)
    for comment in record.comments:
        target = f"（{comment['target']}）" if comment.get("target") else ""
        print(f"  退回意见{target}：{comment['text']}")


def _due_line(record: DraftRecord) -> None:
    """The report's deadline (art. 49 or the local filing date) and the days left, while it is not yet filed."""
    from datetime import date

    from gongkai.filing.service import due_date
    from gongkai.store.registers import Office

    due = due_date(Office("", record.content.organ, None), record.year)
    if due is None or record.status not in ("draft", "returned"):
        return
    left = (due - date.today()).days
    state = f"已逾期 {-left} 天" if left < 0 else f"还剩 {left} 天"
    print(f"  报送期限 {due.isoformat()}（{state}）")


@draft_app.command("new")
def new(
    office: Annotated[str, typer.Option("--office", help="机关名称")],
    year: Annotated[int, typer.Option("--year", help="报告年度")],
    user: UserOption,
    format_id: Annotated[str, typer.Option("--format", help="报告格式：2021（默认）或 2019")] = "2021",
    db: DbOption = None,
) -> None:
    """新建本机关某年度的报告草稿：有台账时表三、表四（及表二的文件行）取自台账，否则“上年结转”取自上年报告。"""
    from gongkai.filing import service

    try:
        with store_or_exit(db) as store:
            record = service.create(store, _office(store, office), year, by=user, format_id=format_id)  # type: ignore[arg-type]
            from gongkai.store.drafts import audit_trail

            prefilled = audit_trail(store, record.id)[0].detail.get("prefilled", [])
    except Exception as exc:
        raise _fail(exc) from None
    _summary(record)
    for line in prefilled:
        print(f"  预填：{line}")


def _edits(pairs: list[str]) -> list[Edit]:
    from gongkai.filing.drafts import Edit
    from gongkai.formats import sections

    section_keys = {s.key for s in sections()} | {s.label: s.key for s in sections()}.keys()
    by_label = {s.label: s.key for s in sections()}
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep:
            raise typer.BadParameter(f"“{pair}”应写成 名称=值", param_hint="VALUES")
        if value.startswith("@"):
            value = Path(value[1:]).read_text(encoding="utf-8")
        if key == "published":
            out.append(Edit(value, published=True))
        elif key in section_keys:
            out.append(Edit(value, section=by_label.get(key, key)))
        elif key.count(".") >= 2:
            table, row, column = key.split(".", 1)[0], key.split(".", 1)[1].rsplit(".", 1)[0], key.rsplit(".", 1)[1]
            out.append(Edit(value, table, row, column))
        else:
            raise typer.BadParameter(f"“{key}”不是表格的格（表.行.列）、章节或 published", param_hint="VALUES")
    return out


@draft_app.command("set")
def set_(
    draft_id: IdArgument,
    values: Annotated[list[str], typer.Argument(help=_SET_HELP)],
    user: UserOption,
    db: DbOption = None,
) -> None:
    """填写或修改草稿的数字、章节和发布日期（只有本机关的撰写人、审核人可以修改；已报送的报告已锁定）。"""
    from gongkai.filing import service

    try:
        edits = _edits(values)
        with store_or_exit(db, create=False) as store:
            record = service.edit(store, draft_id, edits, by=user)
            found = service.findings(store, record)
    except typer.BadParameter:
        raise
    except Exception as exc:
        raise _fail(exc) from None
    _summary(record)
    errors = sum(1 for f in found if f.severity == "error")
    warnings = sum(1 for f in found if f.severity == "warning")
    print(f"  核查：{errors} 处错误，{warnings} 条警告（gongkai draft check 查看）")


@draft_app.command("check")
def check(draft_id: IdArgument, user: UserOption,
          as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False, db: DbOption = None) -> None:
    """用 gongkai check 的全部规则核查草稿：错误须改正、警告须写明理由确认后，才能报送。"""
    from gongkai.filing import service
    from gongkai.filing.drafts import finding_key, short

    with store_or_exit(db, create=False) as store:
        record = _readable(store, draft_id, user)
        found = service.findings(store, record)
    rows = [{"key": finding_key(f), "code": f.code, "severity": f.severity, "message": f.message,
             "acknowledged": record.acknowledged.get(finding_key(f), {}).get("reason")} for f in found]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    words = {"error": "错误", "warning": "警告", "info": "提示"}
    if not rows:
        print("未发现问题。")
    for r in rows:
        ack = f"（已确认：{r['acknowledged']}）" if r["acknowledged"] else ""
        key = f"  确认用的键：{r['key']}" if r["severity"] == "warning" else ""
        print(f"[{words[r['severity']]}] {short(r['message'])}{ack}\n    {r['code']}{key}")


def _readable(store: object, draft_id: int, user: str) -> DraftRecord:
    from gongkai.filing import service
    from gongkai.store import drafts as db

    record = db.get(store, draft_id)  # type: ignore[arg-type]
    if record is None or not service.may_read(store, user, record):  # type: ignore[arg-type]
        print(f"没有编号为 {draft_id} 的草稿，或“{user}”无权查看。", file=sys.stderr)
        raise typer.Exit(1)
    return record


@draft_app.command("ack")
def ack(draft_id: IdArgument, key: Annotated[str, typer.Argument(help="警告的键（gongkai draft check 列出）")],
        reason: Annotated[str, typer.Option("--reason", help="为什么这条警告不需要改正")], user: UserOption,
        db: DbOption = None) -> None:
    """确认一条警告并写明理由（理由记入审核记录）。"""
    from gongkai.filing import service

    try:
        with store_or_exit(db, create=False) as store:
            service.acknowledge(store, draft_id, key, reason, by=user)
    except Exception as exc:
        raise _fail(exc) from None
    print("已确认。")


def _step(code: str, draft_id: int, user: str, db: str | None, comments: list[dict[str, str]] | None = None) -> None:
    from gongkai.filing import service
    from gongkai.filing.workflow import STEPS

    try:
        with store_or_exit(db, create=False) as store:
            record = service.take_step(store, draft_id, code, by=user, comments=comments)
    except Exception as exc:
        raise _fail(exc) from None
    print(f"已{STEPS[code].label}。")
    _summary(record)
    if record.report_id is not None and code == "publish":
        print(f"  已存入报告库：报告 {record.report_id}（gongkai versions 或网页“报告库”可查）")


@draft_app.command("submit")
def submit(draft_id: IdArgument, user: UserOption, db: DbOption = None) -> None:
    """报送上级（本机关审核人）：有错误或未确认的警告时不能报送；报送后锁定。"""
    _step("submit", draft_id, user, db)


@draft_app.command("return")
def return_(draft_id: IdArgument, user: UserOption,
            comment: Annotated[list[str], typer.Option("--comment", help="退回意见；可写成 章节或格=意见，可重复")],
            db: DbOption = None) -> None:
    """退回报送的报告（上级审核人），附意见（可针对某一格或某一章节）。"""
    comments = []
    for text in comment:
        target, sep, body = text.partition("=")
        comments.append({"target": target.strip(), "text": body} if sep and body else {"target": "", "text": text})
    _step("return", draft_id, user, db, comments)


@draft_app.command("accept")
def accept(draft_id: IdArgument, user: UserOption, db: DbOption = None) -> None:
    """审核通过（上级审核人）。"""
    _step("accept", draft_id, user, db)


@draft_app.command("publish")
def publish(draft_id: IdArgument, user: UserOption, db: DbOption = None) -> None:
    """公开审核通过的报告：生成网页版并存入报告库。"""
    _step("publish", draft_id, user, db)


@draft_app.command("show")
def show(draft_id: IdArgument, user: UserOption, db: DbOption = None) -> None:
    """草稿的状态、填写进度、退回意见和审核记录。"""
    from gongkai.filing.workflow import STATUSES
    from gongkai.store.drafts import audit_trail

    with store_or_exit(db, create=False) as store:
        record = _readable(store, draft_id, user)
        trail = audit_trail(store, draft_id)
    _summary(record)
    words = {"create": "新建", "edit": "修改", "acknowledge": "确认警告", "submit": "报送", "return": "退回",
             "accept": "审核通过", "publish": "公开"}
    for entry in trail:
        changed = entry.detail.get("changes", [])
        what = "；".join(f"{c['where']}：{c['old'] or '空'} → {c['new'] or '空'}" for c in changed[:3]
                        if "cell" in c or "published" in c)
        more = f"等 {len(changed)} 处" if len(changed) > 3 else ""
        print(f"  {entry.at:%Y-%m-%d %H:%M} {entry.user or ''} {words.get(entry.action, entry.action)}"
              f"（{STATUSES.get(entry.status, entry.status)}）{what}{more}")


@draft_app.command("render")
def render(draft_id: IdArgument, out: Annotated[Path, typer.Option("--out", "-o", help=_OUT_HELP)],
           user: UserOption, db: DbOption = None) -> None:
    """按规定版式生成报告：网页（HTML）、Word（.docx）或 PDF。"""
    from gongkai.filing import service

    kind = out.suffix.lower().lstrip(".")
    try:
        with store_or_exit(db, create=False) as store:
            data = service.render(_readable(store, draft_id, user), kind)
    except Exception as exc:
        raise _fail(exc) from None
    out.write_bytes(data)
    print(f"已生成 {out}（{len(data)} 字节）")


@draft_app.command("status")
def status(
    office: Annotated[str, typer.Option("--office", help="上级机关（政务公开办所在机关）")],
    year: Annotated[int, typer.Option("--year", help="报告年度")],
    user: UserOption,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="把报送情况和汇总表写入 Excel 文件")] = None,
    db: DbOption = None,
) -> None:
    """下级机关的报送情况（未开始、草稿、已报送、已退回、已审核通过、已公开、逾期）和已通过报告的汇总表。"""
    from datetime import date

    from gongkai.filing import service

    try:
        with store_or_exit(db, create=False) as store:
            superior = _office(store, office)
            units = service.units(store, superior, year, by=user, today=date.today())  # type: ignore[arg-type]
            cells, names = service.consolidated(store, superior, year, by=user)  # type: ignore[arg-type]
    except Exception as exc:
        raise _fail(exc) from None
    print(f"{office}：{year} 年度下级机关 {len(units)} 个")
    for u in units:
        due = f"期限 {u.due.isoformat()}" if u.due else ""
        print(f"  {u.office.name}\t{u.label}\t{due}\t错误 {u.errors}，警告 {u.warnings}")
    print(f"已审核通过的 {len(names)} 个机关可汇总。{service.CONSOLIDATION_RULE}")
    if out is not None:
        service.export_units(units, cells, names, year, out)
        print(f"→ {out}")
