// 反馈工单: picking a canned reply fills the ticket's reply box (still editable before sending).
(function () {
  "use strict";

  function fill(picker, focus) {
    var option = picker.options[picker.selectedIndex];
    var text = option && option.getAttribute("data-text");
    var box = picker.form && picker.form.querySelector('textarea[name="reply"]');
    if (text && box && (focus || !box.value)) {
      box.value = text;
      if (focus) box.focus();
    }
  }

  document.addEventListener("change", function (event) {
    var picker = event.target;
    if (!picker.classList || !picker.classList.contains("template-picker")) return;
    fill(picker, true);
  });

  // A template picked before this (deferred) script ran, on a slow line: fill its empty box.
  var pickers = document.querySelectorAll(".template-picker");
  for (var i = 0; i < pickers.length; i++) fill(pickers[i], false);
})();
