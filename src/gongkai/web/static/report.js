// 报告 page: link the extracted cells, the findings and the source blocks both ways.
// A cell's provenance points at its source block by (table, row, col) of the reader, else by line,
// else by page and bounding box. Loaded as a file (the CSP allows no inline script).
(function () {
  "use strict";

  const source = document.getElementById("source");
  const blocks = source ? Array.from(source.querySelectorAll(".blk")) : [];
  const provItems = Array.from(document.querySelectorAll("td.cell[data-prov], #narrative li[data-prov]"));
  const findings = Array.from(document.querySelectorAll("#findings li.finding"));
  const status = document.createElement("p");
  status.className = "hl-status";
  status.setAttribute("role", "status");
  if (source) source.before(status);

  function parse(text, fallback) {
    try { return text ? JSON.parse(text) : fallback; } catch (e) { return fallback; }
  }

  function present(v) { return v !== null && v !== undefined && v !== ""; }

  // Index the blocks once: by reader position "table.row.col", by line, and by page.
  const byPos = new Map(), byLine = new Map(), byPage = new Map();
  function index(map, key, blk) {
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(blk);
  }
  blocks.forEach(function (b) {
    const d = b.dataset;
    if (present(d.table) && present(d.row) && present(d.col)) index(byPos, d.table + "." + d.row + "." + d.col, b);
    if (present(d.line)) index(byLine, d.line, b);
    if (present(d.page)) index(byPage, d.page, b);
  });

  function overlaps(a, b) {
    return Array.isArray(a) && Array.isArray(b) && a.length === 4 && b.length === 4 &&
      a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }

  // The source blocks a provenance points at (the most precise match that finds any).
  function blocksOf(prov) {
    if (!prov) return [];
    if (present(prov.table) && present(prov.row) && present(prov.col)) {
      const found = byPos.get(prov.table + "." + prov.row + "." + prov.col);
      if (found) return found;
    }
    if (present(prov.line) && byLine.has(String(prov.line))) return byLine.get(String(prov.line));
    if (present(prov.page) && prov.bbox) {
      return (byPage.get(String(prov.page)) || []).filter(function (b) {
        return overlaps(prov.bbox, parse(b.dataset.bbox, null));
      });
    }
    return [];
  }

  // Cell (or narrative figure) → its blocks, and the reverse, computed once.
  const cellBlocks = new Map(), blockCells = new Map();
  provItems.forEach(function (item) {
    const found = blocksOf(parse(item.dataset.prov, {}));
    cellBlocks.set(item, found);
    found.forEach(function (b) { index(blockCells, b, item); });
  });

  function clear() {
    document.querySelectorAll(".hl, .finding-cell").forEach(function (el) {
      el.classList.remove("hl", "finding-cell");
    });
    status.textContent = "";
  }

  function mark(elements, ...classes) {
    elements.forEach(function (el) { el.classList.add(...classes); });
  }

  // Scroll the source panel alone (not the page) so that the block is in its middle.
  function showBlock(blk) {
    if (!blk || !source) return;
    const offset = blk.getBoundingClientRect().top - source.getBoundingClientRect().top;
    source.scrollTop += offset - source.clientHeight / 2 + blk.clientHeight / 2;
  }

  function onCell(item) {
    clear();
    const found = cellBlocks.get(item) || [];
    mark([item], "hl");
    mark(found, "hl");
    if (found.length) showBlock(found[0]);
    else status.textContent = item.classList.contains("absent") ? "该单元格未读出，原文中没有对应位置。" : "原文中未找到该数字的位置。";
  }

  function onBlock(blk) {
    clear();
    const found = blockCells.get(blk) || [];
    mark([blk], "hl");
    mark(found, "hl");
    if (found.length) found[0].scrollIntoView({ block: "nearest" });
    else status.textContent = "这一段原文没有提取出表格数字。";
  }

  function cellsOfFinding(ref) {
    if (!ref.table || !ref.row) return [];
    const prefix = ref.table + "." + ref.row + ".";
    if (ref.column) {
      const one = document.querySelector('td.cell[data-key="' + CSS.escape(prefix + ref.column) + '"]');
      return one ? [one] : [];
    }
    return Array.from(document.querySelectorAll("td.cell")).filter(function (c) {
      return c.dataset.key.startsWith(prefix);
    });
  }

  function onFinding(li) {
    clear();
    const refs = parse(li.dataset.cells, []);
    let cellsFound = [], blocksFound = [];
    refs.forEach(function (ref) {
      const cs = cellsOfFinding(ref);
      cellsFound = cellsFound.concat(cs);
      let bs = blocksOf(ref.provenance);
      if (!bs.length) cs.forEach(function (c) { bs = bs.concat(cellBlocks.get(c) || []); });
      blocksFound = blocksFound.concat(bs);
    });
    if (!refs.length && present(li.dataset.line)) blocksFound = byLine.get(li.dataset.line) || [];
    mark([li], "hl");
    mark(cellsFound, "finding-cell", "hl");
    mark(blocksFound, "hl");
    if (blocksFound.length) showBlock(blocksFound[0]);
    if (cellsFound.length) cellsFound[0].scrollIntoView({ block: "nearest" });
    if (!cellsFound.length && !blocksFound.length) status.textContent = "这条核查结果没有指向具体的单元格或原文位置。";
  }

  // Click, or (when focusable) Enter / Space on the focused element.
  function bind(el, handler, focusable) {
    el.addEventListener("click", function () { handler(el); });
    if (!focusable) return;
    el.tabIndex = 0;
    el.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); handler(el); }
    });
  }

  provItems.forEach(function (el) { bind(el, onCell, true); });
  findings.forEach(function (el) { bind(el, onFinding, true); });
  // Every source block is clickable; only those that lead to a cell join the tab order.
  blocks.forEach(function (el) { bind(el, onBlock, blockCells.has(el)); });
})();
