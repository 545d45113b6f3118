// Site search: full text with MiniSearch (vendored in static/vendor/, MIT licence), over
// search-index.js (or the parts it lists). All load on first use as <script> elements:
// pages opened from file:// may not fetch() JSON. Nothing leaves the page.
(function () {
  "use strict";
  var box = document.querySelector(".search");
  if (!box) return;
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var root = box.getAttribute("data-root") || "";
  var entries = null, engine = null, loading = false, active = -1, pending = false;
  var openFirst = false;
  // Titles first, then aliases, headings and tags, then properties and the body.
  var BOOST = { t: 8, a: 5, h: 2.5, g: 2.5, k: 1.5, f: 1.5, b: 1 };

  function addScript(src, done) {
    var s = document.createElement("script");
    s.src = src;
    s.onload = done;
    document.head.appendChild(s);
  }

  function load() {
    if (engine || loading) return;
    loading = true;
    var left = 2;
    function ready() {
      left -= 1;
      if (left) return;
      entries = window.STARVAULT_INDEX || [];
      engine = new window.MiniSearch({
        idField: "i",
        fields: ["t", "a", "h", "g", "k", "f", "b"],
        extractField: function (doc, field) {
          if (field === "i") return doc.i;
          var v = entries[doc.i][field];
          return Array.isArray(v) ? v.join(" ") : (v || "");
        },
        searchOptions: {
          boost: BOOST,
          prefix: true,
          // Typos: one edit in a word of five letters or more, two from ten.
          fuzzy: function (term) { return term.length < 5 ? 0 : term.length < 10 ? 1 : 2; }
        }
      });
      engine.addAll(entries.map(function (_e, i) { return { i: i }; }));
      if (pending) run();
    }
    addScript(root + "static/vendor/minisearch.js", ready);
    // A large site's index lists its parts (STARVAULT_INDEX_PARTS); each adds its entries.
    addScript(root + "search-index.js", function () {
      var parts = window.STARVAULT_INDEX_PARTS || [];
      left += parts.length;
      parts.forEach(function (p) { addScript(root + p, ready); });
      ready();
    });
  }

  function href(u) {
    return root + u.split("/").map(encodeURIComponent).join("/");
  }

  function render(hits) {
    list.textContent = "";
    active = -1;
    if (!hits.length) {
      var li = document.createElement("li");
      li.className = "r-empty";
      li.textContent = "No note matches.";
      list.appendChild(li);
    }
    hits.forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = href(e.u);
      var t = document.createElement("span");
      t.className = "r-title";
      t.textContent = e.t;
      var m = document.createElement("span");
      m.className = "r-meta";
      m.textContent = (e.k ? e.k + " · " : "") + (e.x || e.p);
      a.appendChild(t);
      a.appendChild(m);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
  }

  function search(q) {
    // Every word must match; if none does, any word may.
    var found = engine.search(q, { combineWith: "AND" });
    if (!found.length) found = engine.search(q, { combineWith: "OR" });
    return found.slice(0, 12).map(function (r) { return entries[r.id]; });
  }

  function run() {
    var q = input.value.trim();
    if (!q) { list.hidden = true; return; }
    if (!engine) { pending = true; load(); return; }
    pending = false;
    var hits = search(q);
    render(hits);
    // Enter pressed before the index had loaded: open the best hit now.
    if (openFirst) {
      openFirst = false;
      if (hits.length) location.href = href(hits[0].u);
    }
  }

  function move(step) {
    var links = list.querySelectorAll("a");
    if (!links.length) return;
    if (active >= 0) links[active].classList.remove("active");
    active = (active + step + links.length) % links.length;
    links[active].classList.add("active");
    links[active].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", run);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { move(1); ev.preventDefault(); }
    else if (ev.key === "ArrowUp") { move(-1); ev.preventDefault(); }
    else if (ev.key === "Enter") {
      var links = list.querySelectorAll("a");
      var pick = links[active >= 0 ? active : 0];
      if (pick) location.href = pick.href;
      else if (!engine && input.value.trim()) openFirst = true;
    } else if (ev.key === "Escape") { list.hidden = true; input.blur(); }
  });
  document.addEventListener("click", function (ev) {
    if (!box.contains(ev.target)) list.hidden = true;
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement !== input) { input.focus(); ev.preventDefault(); }
  });
})();
