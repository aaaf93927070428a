// semsiedit review page: filter, sort, keyboard navigation, edit details. No network, no libraries.
(function () {
  "use strict";
  var docs = Array.prototype.slice.call(document.querySelectorAll("article.doc"));
  var list = document.getElementById("docs");
  var needs = document.getElementById("f-needs");
  var cat = document.getElementById("f-category");
  var sort = document.getElementById("f-sort");
  var shown = document.getElementById("shown");
  var current = -1;

  function num(el, key, dflt) {
    var v = parseFloat(el.getAttribute("data-" + key));
    return isNaN(v) ? dflt : v;
  }
  function visible() { return docs.filter(function (d) { return !d.hidden; }); }

  function apply() {
    var c = cat.value;
    docs.forEach(function (d) {
      var cats = (d.getAttribute("data-categories") || "").split(" ");
      var ok = (!needs.checked || d.getAttribute("data-needs-review") === "1") && (c === "all" || cats.indexOf(c) >= 0);
      d.hidden = !ok;
      Array.prototype.forEach.call(d.querySelectorAll("mark[data-detail]"), function (m) {
        m.classList.toggle("dim", c !== "all" && !m.classList.contains("cat-" + c));
      });
    });
    var key = sort.value;
    var ordered = docs.slice().sort(function (a, b) {
      if (key === "needs-review") return num(b, "needs-review", 0) - num(a, "needs-review", 0) || num(a, "order", 0) - num(b, "order", 0);
      if (key === "leakage") return num(b, "leakage", -1) - num(a, "leakage", -1) || num(a, "order", 0) - num(b, "order", 0);
      if (key === "utility") return num(a, "utility", 2) - num(b, "utility", 2) || num(a, "order", 0) - num(b, "order", 0);
      if (key === "edits") return num(b, "edits", 0) - num(a, "edits", 0) || num(a, "order", 0) - num(b, "order", 0);
      return num(a, "order", 0) - num(b, "order", 0);
    });
    ordered.forEach(function (d) { list.appendChild(d); });
    docs = ordered;
    var n = visible().length;
    shown.textContent = "showing " + n + " of " + docs.length;
    shown.setAttribute("data-count", String(n));
    var state = [];
    if (needs.checked) state.push("needs_review=1");
    if (cat.value !== "all") state.push("category=" + cat.value);
    if (sort.value !== "order") state.push("sort=" + sort.value);
    if (history.replaceState) history.replaceState(null, "", state.length ? "#" + state.join("&") : location.pathname);
  }

  function move(step) {
    var vis = visible();
    if (!vis.length) return;
    var at = vis.indexOf(docs[current]);
    var next = vis[Math.max(0, Math.min(vis.length - 1, at < 0 ? 0 : at + step))];
    docs.forEach(function (d) { d.classList.remove("current"); });
    next.classList.add("current");
    current = docs.indexOf(next);
    next.scrollIntoView({ block: "start" });
    document.body.setAttribute("data-current", next.id);
  }

  var pop = null;
  function closePop() {
    if (pop) { pop.remove(); pop = null; }
    Array.prototype.forEach.call(document.querySelectorAll("mark.open"), function (m) { m.classList.remove("open"); });
  }
  function openPop(mark) {
    closePop();
    pop = document.createElement("div");
    pop.className = "pop";
    pop.setAttribute("role", "tooltip");
    (mark.getAttribute("data-detail") || "").split("\n").forEach(function (line) {
      var row = document.createElement("div");
      row.className = "row";
      row.textContent = line;  // text, never HTML
      pop.appendChild(row);
    });
    document.body.appendChild(pop);
    var r = mark.getBoundingClientRect();
    pop.style.left = (window.scrollX + r.left) + "px";
    pop.style.top = (window.scrollY + r.bottom + 4) + "px";
    mark.classList.add("open");
  }

  document.addEventListener("click", function (e) {
    var mark = e.target.closest ? e.target.closest("mark[data-detail]") : null;
    if (mark) { if (mark.classList.contains("open")) closePop(); else openPop(mark); e.stopPropagation(); }
    else closePop();
  });
  document.addEventListener("keydown", function (e) {
    if (e.target && (e.target.tagName === "SELECT" || e.target.tagName === "INPUT") && e.key !== "Escape") return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "j" || e.key === "ArrowRight") { move(1); e.preventDefault(); }
    else if (e.key === "k" || e.key === "ArrowLeft") { move(-1); e.preventDefault(); }
    else if (e.key === "Escape") closePop();
  });
  [needs, cat, sort].forEach(function (el) { el.addEventListener("change", apply); });

  // The view can be shared: #needs_review=1&category=privacy&sort=leakage
  location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
    var kv = pair.split("=");
    if (kv[0] === "needs_review") needs.checked = kv[1] === "1";
    if (kv[0] === "category" && cat.querySelector('option[value="' + kv[1] + '"]')) cat.value = kv[1];
    if (kv[0] === "sort" && sort.querySelector('option[value="' + kv[1] + '"]')) sort.value = kv[1];
  });
  apply();
  document.body.setAttribute("data-ready", "1");
})();
