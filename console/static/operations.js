// 反馈工单: picking a canned reply fills the ticket's reply box (still editable before sending).
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var picker = event.target;
    if (!picker.classList || !picker.classList.contains("template-picker")) return;
    var option = picker.options[picker.selectedIndex];
    var text = option && option.getAttribute("data-text");
    var box = picker.form && picker.form.querySelector('textarea[name="reply"]');
    if (text && box) {
      box.value = text;
      box.focus();
    }
  });
})();
