// The review workbench: rows you move through with j/k, select with x or a click (shift-click
// for a range), decide with a/r/e or the buttons; every decision waits a few seconds under an
// undo toast before it is sent, and each row then shows its own result. SLA clocks tick live.
(function () {
  "use strict";

  var desk = document.getElementById("workbench");
  if (!desk) return;
  var undoSeconds = parseFloat(desk.getAttribute("data-undo-seconds") || "5");
  var current = -1;
  var anchor = -1;
  var pending = [];

  function say(name) { return desk.getAttribute("data-t-" + name) || name; }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#rows .row")); }
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function selectedIds() {
    return rows().filter(function (r) { return r.classList.contains("selected"); })
      .map(function (r) { return r.getAttribute("data-task-id"); });
  }

  // ---------------------------------------------------------------- moving and selecting

  function open(index) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (r, i) { r.classList.toggle("current", i === current); });
    var row = all[current];
    row.scrollIntoView({ block: "nearest" });
    window.htmx.trigger(row, "open");
  }

  function select(row, on) {
    row.classList.toggle("selected", on);
    var box = row.querySelector(".pick");
    if (box) box.checked = on;
    var ids = selectedIds();
    var bulk = document.getElementById("bulk");
    bulk.hidden = ids.length === 0;
    document.getElementById("bulk-count").textContent = String(ids.length);
  }

  document.getElementById("rows").addEventListener("click", function (event) {
    var row = event.target.closest(".row");
    if (!row) return;
    var all = rows();
    var index = all.indexOf(row);
    if (event.target.classList.contains("pick")) {
      if (event.shiftKey && anchor >= 0) {
        var from = Math.min(anchor, index), to = Math.max(anchor, index);
        for (var i = from; i <= to; i++) select(all[i], true);
      } else {
        select(row, event.target.checked);
      }
      anchor = index;
      return;
    }
    if (event.shiftKey && anchor >= 0) {
      var lo = Math.min(anchor, index), hi = Math.max(anchor, index);
      for (var j = lo; j <= hi; j++) select(all[j], true);
      return;
    }
    anchor = index;
    open(index);
  });

  // ---------------------------------------------------------------- deciding, with undo

  function detailFields() {
    var form = document.querySelector("#detail form[data-decide]");
    var fields = {};
    if (!form) return fields;
    new FormData(form).forEach(function (value, name) { fields[name] = value; });
    return fields;
  }

  function decide(decision, ids, fields) {
    ids = ids.filter(function (id) { return id; });
    if (!ids.length) return;
    var stage = (document.querySelector("#detail .task") || desk).getAttribute("data-stage");
    if (decision === "ESCALATE" && stage === "FINAL") { window.qzToast(say("no-escalate")); return; }
    var marked = ids.map(function (id) { return document.getElementById("row-" + id); })
      .filter(function (r) { return r; });
    marked.forEach(function (r) { r.classList.add("done"); select(r, false); });
    var job = { decision: decision, ids: ids, fields: fields, rows: marked };
    job.timer = window.setTimeout(function () { send(job); }, undoSeconds * 1000);
    pending.push(job);
    var label = say(decision.toLowerCase()) + (ids.length > 1 ? " × " + ids.length : "");
    job.toast = window.qzToast(label, say("undo"), function () { undo(job); }, undoSeconds);
    if (ids.length === 1 && marked.length && rows().indexOf(marked[0]) === current) next();
  }

  function next() {
    var all = rows();
    for (var i = current + 1; i < all.length; i++) {
      if (!all[i].classList.contains("done")) { open(i); return; }
    }
  }

  function undo(job) {
    window.clearTimeout(job.timer);
    pending = pending.filter(function (p) { return p !== job; });
    job.rows.forEach(function (r) { r.classList.remove("done"); });
    window.qzToast(say("undone"));
  }

  function body(job) {
    var data = new FormData();
    job.ids.forEach(function (id) { data.append("task_id", id); });
    data.append("decision", job.decision);
    Object.keys(job.fields).forEach(function (name) { data.append(name, job.fields[name]); });
    data.append("_csrf", csrf());
    return data;
  }

  function send(job) {
    pending = pending.filter(function (p) { return p !== job; });
    if (job.toast) job.toast.remove();
    fetch("/console/review/decide", {
      method: "POST",
      body: body(job),
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), "HX-Request": "true" },
    }).then(function (answer) {
      if (answer.headers.get("HX-Redirect")) { window.location = answer.headers.get("HX-Redirect"); }
      return answer.text();
    }).then(function (html) { show(html); });
  }

  function show(html) {
    var box = document.getElementById("results");
    box.innerHTML = html;
    box.querySelectorAll("[data-task-id]").forEach(function (line) {
      var row = document.getElementById("row-" + line.getAttribute("data-task-id"));
      if (!row) return;
      var ok = line.getAttribute("data-ok") === "true";
      row.classList.toggle("done", ok);
      var slot = row.querySelector("[data-result]");
      slot.textContent = line.textContent;
      slot.className = "result " + (ok ? "result-ok" : "result-bad");
    });
    box.querySelectorAll("[data-sanction]").forEach(function (line) {
      window.qzToast(line.textContent, null, null, 6);
    });
    var task = document.querySelector("#detail .task");
    if (task) {
      var mine = box.querySelector('[data-task-id="' + task.getAttribute("data-task-id") + '"]');
      if (mine) {
        var note = document.createElement("div");
        note.className = "decided";
        note.appendChild(mine.cloneNode(true));
        task.appendChild(note);
      }
    }
  }

  // Leaving the page sends what still waits (a beacon cannot set headers: the form carries
  // the CSRF token).
  window.addEventListener("pagehide", function () {
    pending.forEach(function (job) {
      window.clearTimeout(job.timer);
      navigator.sendBeacon("/console/review/decide", body(job));
    });
    pending = [];
  });

  document.getElementById("detail").addEventListener("click", function (event) {
    var button = event.target.closest("[data-decision]");
    if (!button || button.disabled) return;
    var task = document.querySelector("#detail .task");
    decide(button.getAttribute("data-decision"), [task.getAttribute("data-task-id")], detailFields());
  });

  document.getElementById("bulk").addEventListener("click", function (event) {
    var button = event.target.closest("[data-bulk]");
    if (!button) return;
    var violation = document.getElementById("bulk-violation").value;
    decide(button.getAttribute("data-bulk"), selectedIds(), violation ? { violation: violation } : {});
  });

  // ---------------------------------------------------------------- keys

  function targets() {
    var ids = selectedIds();
    if (ids.length) return { ids: ids, fields: bulkOrDetail() };
    var task = document.querySelector("#detail .task");
    return { ids: task ? [task.getAttribute("data-task-id")] : [], fields: detailFields() };
  }
  function bulkOrDetail() {
    var violation = document.getElementById("bulk-violation").value;
    return violation ? { violation: violation } : detailFields();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    var help = document.getElementById("help");
    if (help.open) return;
    var key = event.key;
    var moves = { j: 1, k: -1 };
    if (key in moves) { open(current < 0 ? 0 : current + moves[key]); event.preventDefault(); return; }
    if (key === "x" && current >= 0) { var row = rows()[current]; select(row, !row.classList.contains("selected")); anchor = current; return; }
    var decisions = { a: "APPROVE", r: "REJECT", e: "ESCALATE" };
    if (key in decisions) {
      var picked = targets();
      if (key === "e" && document.querySelector('#detail [data-decision="ESCALATE"]') === null && !selectedIds().length) {
        window.qzToast(say("no-escalate"));
        return;
      }
      decide(decisions[key], picked.ids, picked.fields);
      return;
    }
    if (key === "s") {
      var box = document.querySelector('#detail input[name="sanction"]');
      if (box) { box.checked = !box.checked; document.querySelector('#detail input[name="sanction_reason"]').focus(); event.preventDefault(); }
      return;
    }
    if (key === "?") { help.showModal(); }
  });

  document.querySelector("[data-help]").addEventListener("click", function () {
    document.getElementById("help").showModal();
  });

  // ---------------------------------------------------------------- SLA clocks

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h + ":" + pad(m) + ":" + pad(s % 60);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".clock[data-due]").forEach(function (clock) {
      var due = Date.parse(clock.getAttribute("data-due"));
      var entered = Date.parse(clock.getAttribute("data-entered"));
      var left = due - now;
      var spent = (now - entered) / Math.max(1, due - entered);
      clock.textContent = left >= 0 ? say("left") + " " + span(left) : say("overdue") + " " + span(left);
      clock.classList.toggle("sla-red", left < 0);
      clock.classList.toggle("sla-amber", left >= 0 && spent >= 2 / 3);
      clock.classList.toggle("sla-green", left >= 0 && spent < 2 / 3);
    });
  }
  tick();
  window.setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);
})();
