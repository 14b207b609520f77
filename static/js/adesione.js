// The adesione form: warn before leaving the page with changes not yet saved (uploading an
// attachment or sending the request are other forms, which would lose them).
// Progressive enhancement: without JavaScript the page says to save first.
(function () {
  "use strict";
  var modulo = document.querySelector("form[data-avvisa-modifiche]");
  if (!modulo) {
    return;
  }
  var modificato = false;
  modulo.addEventListener("input", function () { modificato = true; });
  modulo.addEventListener("change", function () { modificato = true; });
  modulo.addEventListener("submit", function () { modificato = false; });
  window.addEventListener("beforeunload", function (evento) {
    if (modificato) {
      evento.preventDefault();
      evento.returnValue = "";
    }
  });
})();
