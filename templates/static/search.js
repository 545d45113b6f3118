// Site search: a small vanilla script over search-index.js (loaded on first use as a
// <script>, since pages opened from file:// may not fetch() JSON). Nothing leaves the page.
(function () {
  "use strict";
  var box = document.querySelector(".search");
  if (!box) return;
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var root = box.getAttribute("data-root") || "";
  var index = null, loading = false, active = -1, pending = false, openFirst = false;

  function load() {
    if (index || loading) return;
    loading = true;
    var s = document.createElement("script");
    s.src = root + "search-index.js";
    s.onload = function () {
      index = (window.STARVAULT_INDEX || []).map(function (e) {
        return {
          e: e,
          t: (e.t || "").toLowerCase(),
          a: (e.a || []).join(" ").toLowerCase(),
          h: (e.h || []).join(" ").toLowerCase(),
          g: (e.g || []).join(" ").toLowerCase(),
          x: (e.x || "").toLowerCase(),
          k: (e.k || "").toLowerCase()
        };
      });
      if (pending) run();
    };
    document.head.appendChild(s);
  }

  function score(item, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var w = terms[i], s = 0;
      if (item.t === w) s = 100;
      else if (item.t.indexOf(w) === 0) s = 60;
      else if ((" " + item.t).indexOf(" " + w) >= 0) s = 40;
      else if (item.t.indexOf(w) >= 0) s = 25;
      else if (item.a.indexOf(w) >= 0) s = 20;
      else if (item.k === w || item.g.indexOf(w) >= 0) s = 12;
      else if (item.h.indexOf(w) >= 0) s = 8;
      else if (item.x.indexOf(w) >= 0) s = 3;
      if (!s) return 0;
      total += s;
    }
    return total;
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
    hits.forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = href(hit.e.u);
      var t = document.createElement("span");
      t.className = "r-title";
      t.textContent = hit.e.t;
      var m = document.createElement("span");
      m.className = "r-meta";
      m.textContent = (hit.e.k ? hit.e.k + " · " : "") + (hit.e.x || hit.e.p);
      a.appendChild(t);
      a.appendChild(m);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
  }

  function run() {
    var q = input.value.trim().toLowerCase();
    if (!q) { list.hidden = true; return; }
    if (!index) { pending = true; load(); return; }
    pending = false;
    var terms = q.split(/\s+/), hits = [];
    for (var i = 0; i < index.length; i++) {
      var s = score(index[i], terms);
      if (s) hits.push({ s: s, e: index[i].e });
    }
    hits.sort(function (a, b) { return b.s - a.s || a.e.t.localeCompare(b.e.t); });
    render(hits.slice(0, 12));
    // Enter pressed before the index had loaded: open the best hit now.
    if (openFirst) {
      openFirst = false;
      if (hits.length) location.href = href(hits[0].e.u);
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
      else if (!index && input.value.trim()) openFirst = true;
    } else if (ev.key === "Escape") { list.hidden = true; input.blur(); }
  });
  document.addEventListener("click", function (ev) {
    if (!box.contains(ev.target)) list.hidden = true;
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement !== input) { input.focus(); ev.preventDefault(); }
  });
})();
