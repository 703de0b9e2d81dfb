// 年度报告 draft page: a cell, section or the publication date is saved as soon as it changes
// (PATCH /api/drafts/{id} with the session's CSRF header), then the findings are redrawn and the cells they point
// at are marked; an error's message shows at the cell just changed when that cell is one of the error's.
// Loaded as a file (the CSP allows no inline script); report text is only ever set as textContent.
(function () {
  "use strict";

  const form = document.getElementById("draft-form");
  if (!form || form.dataset.editable !== "true") return;
  const draftId = form.dataset.draft;
  const csrf = form.querySelector("input[name=csrf_token]").value;
  const revision = form.querySelector("input[name=revision]");
  const live = document.getElementById("live-status");
  const list = document.getElementById("findings");
  const counts = document.getElementById("finding-counts");
  const shownRevision = document.getElementById("revision-shown");
  const SEVERITY = { error: "错误", warning: "警告", info: "提示" };
  const ANCHORED = 30; // a finding with at most this many cells shows its message at a cell (as the server does)
  const MARKS = ["filing-error", "filing-warning", "filing-missing"];
  const cells = new Map();
  form.querySelectorAll("td.filing-cell[data-cell]").forEach(function (td) { cells.set(td.dataset.cell, td); });
  let queue = Promise.resolve();

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function editOf(input) {
    const text = input.value;
    if (input.dataset.cell) {
      const parts = input.dataset.cell.split(".");
      return { table: parts[0], row: parts.slice(1, -1).join("."), column: parts[parts.length - 1], text: text };
    }
    if (input.dataset.section) return { section: input.dataset.section, text: text };
    if (input.dataset.published) return { published: true, text: text };
    return null;
  }

  function holder(input) { return input.closest("td.filing-cell, .filing-section"); }

  function setMessage(box, text) {
    const msg = box && box.querySelector(".filing-msg");
    if (!msg) return;
    msg.replaceChildren();
    if (text) msg.append(el("span", "filing-note", text));
  }

  // Mark the cells of every error and warning; put each message with few cells at one of its cells.
  function markCells(findings, edited) {
    cells.forEach(function (td) {
      td.classList.remove.apply(td.classList, MARKS);
      if (!td.classList.contains("filing-invalid")) setMessage(td, "");
    });
    findings.forEach(function (f) {
      if (f.severity === "info") return;
      f.cells.forEach(function (key) {
        const td = cells.get(key);
        if (!td || td.classList.contains("filing-error") || td.classList.contains("filing-missing")) return;
        const input = td.querySelector("input");
        const empty = input && input.value.trim() === "";
        td.classList.remove("filing-warning");
        td.classList.add(f.severity === "error" ? (empty ? "filing-missing" : "filing-error") : "filing-warning");
      });
      if (!f.cells.length || f.cells.length > ANCHORED) return;
      const anchor = cells.get(edited && f.cells.indexOf(edited) >= 0 ? edited : f.cells[0]);
      if (anchor && !anchor.classList.contains("filing-invalid")) {
        anchor.querySelector(".filing-msg").append(el("span", "filing-note", f.short));
      }
    });
  }

  function ackForm(f) {
    const ack = el("form", "filing-ack-form");
    ack.method = "post";
    ack.action = "/drafts/" + draftId + "/acknowledge";
    [["csrf_token", csrf], ["key", f.key]].forEach(function (pair) {
      const hidden = el("input");
      hidden.type = "hidden";
      hidden.name = pair[0];
      hidden.value = pair[1];
      ack.append(hidden);
    });
    const reason = el("input");
    reason.name = "reason";
    reason.required = true;
    reason.maxLength = 2000;
    reason.placeholder = "确认理由（必填）";
    reason.setAttribute("aria-label", "确认理由");
    const button = el("button", null, "确认");
    button.type = "submit";
    ack.append(reason, button);
    return ack;
  }

  function drawList(findings, n) {
    list.replaceChildren();
    findings.forEach(function (f) {
      const li = el("li", "filing-finding");
      li.dataset.key = f.key;
      li.dataset.severity = f.severity;
      li.dataset.cells = JSON.stringify(f.cells);
      li.append(el("span", "sev-" + f.severity, "[" + SEVERITY[f.severity] + "]"), " ", el("span", "filing-text", f.short));
      if (f.severity === "warning") {
        li.append(" ");
        li.append(f.acknowledged ? el("span", "filing-ack", "已确认：" + f.acknowledged.reason + "（" + f.acknowledged.by + "）")
          : ackForm(f));
      }
      list.append(li);
    });
    if (!findings.length) list.append(el("li", "filing-none", "未发现问题。"));
    counts.textContent = n.error + " 处错误，" + n.warning + " 条警告，" + n.info + " 条提示。" +
      "错误须改正、警告须改正或写明理由确认，才能报送。";
  }

  async function save(input) {
    const edit = editOf(input);
    if (!edit) return;
    const box = holder(input);
    live.textContent = "正在保存……";
    let res, data;
    try {
      res = await fetch("/api/drafts/" + draftId, {
        method: "PATCH", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ edits: [edit], revision: Number(revision.value) }),
      });
      data = await res.json().catch(function () { return {}; });
    } catch (err) {
      live.textContent = "未保存：无法连接服务器，请稍后再试。";
      return;
    }
    if (!res.ok) {
      const message = data.message || data.detail || ("未保存（" + res.status + "）");
      if (res.status === 422 && box) {
        box.classList.add("filing-invalid");
        setMessage(box, message);
      }
      live.textContent = "未保存：" + message;
      return;
    }
    if (box) {
      box.classList.remove("filing-invalid");
      setMessage(box, "");
    }
    revision.value = data.revision;
    if (shownRevision) shownRevision.textContent = data.revision;
    markCells(data.findings, input.dataset.cell || null);
    drawList(data.findings, data.counts);
    live.textContent = "已保存（第 " + data.revision + " 版），核查结果已更新。";
  }

  form.addEventListener("change", function (event) {
    const input = event.target;
    if (!(input.dataset.cell || input.dataset.section || input.dataset.published)) return;
    queue = queue.then(function () { return save(input); });
  });
})();
