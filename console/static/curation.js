// 内容日历 and 内容运营: drag a scheduled post to another day (its time of day kept), drag a
// collection's posts into a new order, and count down the time each pin has left. Moves are
// POSTed with the session's CSRF token; what the API refused shows as a toast and the page
// goes back to what the server holds.
(function () {
  "use strict";

  var zh = document.documentElement.lang !== "en";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function send(url, fields) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken(), "Accept": "application/json" },
      body: new URLSearchParams(fields)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok && data.ok, data: data, status: response.status };
      });
    });
  }

  function refused(answer) {
    var errors = (answer.data && answer.data.errors) || [];
    var text = errors.map(function (e) { return e.message; }).join("；") || String(answer.status);
    if (window.qzToast) window.qzToast(text, null, null, 6);
    window.setTimeout(function () { window.location.reload(); }, 1500);
  }

  function clearMarks(root, name) {
    root.querySelectorAll("." + name).forEach(function (el) { el.classList.remove(name); });
  }

  // The calendar: scheduled posts onto days.
  var calendar = document.getElementById("calendar");
  if (calendar) {
    var chip = null;
    calendar.addEventListener("dragstart", function (event) {
      chip = event.target.closest ? event.target.closest("[data-post-id]") : null;
      if (!chip) return;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", chip.getAttribute("data-post-id"));
      chip.classList.add("dragging");
    });
    calendar.addEventListener("dragend", function () {
      if (chip) chip.classList.remove("dragging");
      clearMarks(calendar, "drop-here");
    });
    calendar.addEventListener("dragover", function (event) {
      var day = chip && event.target.closest("[data-day]");
      if (!day) return;
      event.preventDefault();
      clearMarks(calendar, "drop-here");
      day.classList.add("drop-here");
    });
    calendar.addEventListener("drop", function (event) {
      var day = chip && event.target.closest("[data-day]");
      if (!day) return;
      event.preventDefault();
      var moved = chip;
      chip = null;
      clearMarks(calendar, "drop-here");
      if (moved.closest("[data-day]") === day) return;
      day.appendChild(moved);
      send(calendar.getAttribute("data-move-url"), {
        postId: moved.getAttribute("data-post-id"),
        day: day.getAttribute("data-day"),
        time: moved.getAttribute("data-time")
      }).then(function (answer) {
        if (!answer.ok) return refused(answer);
        window.location.assign(calendar.getAttribute("data-after-move"));
      });
    });
  }

  // Collections: posts into a new order.
  document.querySelectorAll("ol.sortable").forEach(function (list) {
    var item = null;
    list.addEventListener("dragstart", function (event) {
      item = event.target.closest ? event.target.closest("li[data-post-id]") : null;
      if (!item) return;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.getAttribute("data-post-id"));
      item.classList.add("dragging");
    });
    list.addEventListener("dragover", function (event) {
      if (!item) return;
      event.preventDefault();
      var over = event.target.closest("li[data-post-id]");
      if (!over || over === item) return;
      var box = over.getBoundingClientRect();
      list.insertBefore(item, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    list.addEventListener("dragend", function () {
      if (item) item.classList.remove("dragging");
    });
    list.addEventListener("drop", function (event) {
      if (!item) return;
      event.preventDefault();
      var moved = item;
      item = null;
      moved.classList.remove("dragging");
      var order = Array.prototype.slice.call(list.querySelectorAll("li[data-post-id]"));
      send(list.getAttribute("data-move-url"), {
        collectionId: list.getAttribute("data-collection-id"),
        postId: moved.getAttribute("data-post-id"),
        position: String(order.indexOf(moved))
      }).then(function (answer) {
        if (!answer.ok) return refused(answer);
        list.setAttribute("data-saved", order.map(function (li) {
          return li.getAttribute("data-post-id");
        }).join(","));
        if (window.qzToast) window.qzToast(answer.data.message, null, null, 3);
      });
    });
  });

  // Pins: the time left, to the second.
  function left(ms) {
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
    var m = Math.floor(s % 3600 / 60);
    if (d > 0) return zh ? d + " 天 " + h + " 小时" : d + " d " + h + " h";
    if (h > 0) return zh ? h + " 小时 " + m + " 分" : h + " h " + m + " min";
    return zh ? m + " 分 " + (s % 60) + " 秒" : m + " min " + (s % 60) + " s";
  }

  var clocks = document.querySelectorAll(".countdown[data-until]");
  function tick() {
    var now = Date.now();
    clocks.forEach(function (el) {
      var ms = Date.parse(el.getAttribute("data-until")) - now;
      el.textContent = ms > 0 ? left(ms) : el.getAttribute("data-expired");
      el.classList.toggle("soon", ms > 0 && ms < 3600 * 1000);
    });
  }
  if (clocks.length) {
    tick();
    window.setInterval(tick, 1000);
  }
})();
