// 报告 page: link the extracted cells, the findings and the source blocks both ways.
// A cell's provenance points at its source block by (table, row, col) of the reader, else by line,
// else by page and bounding box. For a PDF, a cell's page and bounding box are also drawn as a box over
// the picture of its page (#pages), and a click on a picture lights the cells there.
// Loaded as a file (the CSP allows no inline script; boxes are placed through the CSSOM, which it allows).
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

  // PDF page pictures: figure.pdf-page per page, with its size in points as drawn (data-width, data-height)
  // and what takes the reader's boxes onto it (offsets data-x0, data-y0 and rotation data-rotate).
  const pagesPanel = document.getElementById("pages");
  const figures = new Map();
  if (pagesPanel) {
    pagesPanel.querySelectorAll("figure.pdf-page").forEach(function (f) { figures.set(f.dataset.page, f); });
  }

  function hasBox(prov) {
    return !!prov && present(prov.page) && Array.isArray(prov.bbox) && prov.bbox.length === 4;
  }

  // A box in the reader's points (x0, top, x1, bottom) → [left, top, width, height] as fractions of the
  // page as drawn.
  function onSheet(fig, bbox) {
    const d = fig.dataset, r = Number(d.rotate) || 0;
    const w = Number(d.width), h = Number(d.height);
    const turned = r === 90 || r === 270;
    const uw = turned ? h : w, uh = turned ? w : h;  // the page before its rotation
    function at(x, y) {
      x -= Number(d.x0) || 0;
      y -= Number(d.y0) || 0;
      if (r === 90) return [uh - y, x];
      if (r === 180) return [uw - x, uh - y];
      if (r === 270) return [y, uw - x];
      return [x, y];
    }
    const a = at(bbox[0], bbox[1]), b = at(bbox[2], bbox[3]);
    return [Math.min(a[0], b[0]) / w, Math.min(a[1], b[1]) / h, Math.abs(a[0] - b[0]) / w, Math.abs(a[1] - b[1]) / h];
  }

  // Scroll the pages panel alone so that the box is in its middle.
  function showBox(box) {
    const offset = box.getBoundingClientRect().top - pagesPanel.getBoundingClientRect().top;
    pagesPanel.scrollTop += offset - pagesPanel.clientHeight / 2 + box.getBoundingClientRect().height / 2;
  }

  // Draw the boxes of these provenances over their pages (each once); scroll to the first when asked.
  function drawBoxes(provs, scroll) {
    const seen = new Set();
    let first = null;
    provs.forEach(function (prov) {
      if (!hasBox(prov)) return;
      const fig = figures.get(String(prov.page)), key = prov.page + ":" + prov.bbox.join(",");
      if (!fig || seen.has(key)) return;
      seen.add(key);
      const f = onSheet(fig, prov.bbox), box = document.createElement("div");
      box.className = "pdf-box";
      box.style.left = f[0] * 100 + "%";
      box.style.top = f[1] * 100 + "%";
      box.style.width = f[2] * 100 + "%";
      box.style.height = f[3] * 100 + "%";
      fig.querySelector(".pdf-overlay").append(box);
      if (!first) first = box;
    });
    if (first && scroll) showBox(first);
    return first;
  }

  function provOf(el) { return parse(el.dataset.prov, {}); }

  function clear() {
    document.querySelectorAll(".hl, .finding-cell").forEach(function (el) {
      el.classList.remove("hl", "finding-cell");
    });
    document.querySelectorAll(".pdf-box").forEach(function (el) { el.remove(); });
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
    const boxed = drawBoxes([provOf(item)], true);
    if (found.length) showBlock(found[0]);
    else if (!boxed) status.textContent = item.classList.contains("absent") ? "该单元格未读出，原文中没有对应位置。" : "原文中未找到该数字的位置。";
  }

  function onBlock(blk) {
    clear();
    const found = blockCells.get(blk) || [];
    mark([blk], "hl");
    mark(found, "hl");
    drawBoxes([{ page: blk.dataset.page, bbox: parse(blk.dataset.bbox, null) }], true);
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
    let cellsFound = [], blocksFound = [], provs = [];
    refs.forEach(function (ref) {
      const cs = cellsOfFinding(ref);
      provs.push(ref.provenance);
      cs.forEach(function (c) { provs.push(provOf(c)); });
      cellsFound = cellsFound.concat(cs);
      let bs = blocksOf(ref.provenance);
      if (!bs.length) cs.forEach(function (c) { bs = bs.concat(cellBlocks.get(c) || []); });
      blocksFound = blocksFound.concat(bs);
    });
    if (!refs.length && present(li.dataset.line)) blocksFound = byLine.get(li.dataset.line) || [];
    mark([li], "hl");
    mark(cellsFound, "finding-cell", "hl");
    mark(blocksFound, "hl");
    drawBoxes(provs, true);
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

  // A click on a page picture → the cells whose box holds the point (their sources and boxes lit too).
  const pageCells = new Map();
  provItems.forEach(function (item) {
    const prov = provOf(item);
    if (hasBox(prov)) index(pageCells, String(prov.page), item);
  });

  function onPicture(fig, ev) {
    const rect = ev.currentTarget.getBoundingClientRect();
    const fx = (ev.clientX - rect.left) / rect.width, fy = (ev.clientY - rect.top) / rect.height;
    const hits = (pageCells.get(fig.dataset.page) || []).filter(function (item) {
      const f = onSheet(fig, provOf(item).bbox);
      return fx >= f[0] && fx <= f[0] + f[2] && fy >= f[1] && fy <= f[1] + f[3];
    });
    clear();
    if (!hits.length) {
      status.textContent = "页面上这一处没有提取出表格数字。";
      return;
    }
    let found = [];
    hits.forEach(function (c) { found = found.concat(cellBlocks.get(c) || []); });
    mark(hits, "hl");
    mark(found, "hl");
    drawBoxes(hits.map(provOf), false);  // the page stays where it was clicked
    if (found.length) showBlock(found[0]);
    hits[0].scrollIntoView({ block: "nearest" });
  }

  figures.forEach(function (fig) {
    const img = fig.querySelector("img");
    if (img) img.addEventListener("click", function (ev) { onPicture(fig, ev); });
  });

  provItems.forEach(function (el) { bind(el, onCell, true); });
  findings.forEach(function (el) { bind(el, onFinding, true); });
  // Every source block is clickable; only those that lead to a cell join the tab order.
  blocks.forEach(function (el) { bind(el, onBlock, blockCells.has(el)); });
})();
