// kehoach: a few conveniences; every page also works without script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // "/" focuses the query box.
  var q = document.getElementById("q") || document.getElementById("tq");
  document.addEventListener("keydown", function (e) {
    var t = e.target && e.target.tagName;
    if (e.key === "/" && q && t !== "INPUT" && t !== "TEXTAREA" && t !== "SELECT") {
      e.preventDefault();
      q.focus();
      q.select();
    }
  });
  // The filter box starts folded on narrow screens.
  var facets = document.getElementById("facets");
  if (facets && window.matchMedia("(max-width: 760px)").matches) {
    facets.removeAttribute("open");
  }
  // Compare: swap A and B.
  var swap = document.getElementById("swap");
  if (swap) {
    swap.addEventListener("click", function () {
      var a = document.getElementById("plan-a");
      var b = document.getElementById("plan-b");
      var v = a.value;
      a.value = b.value;
      b.value = v;
    });
  }
});
