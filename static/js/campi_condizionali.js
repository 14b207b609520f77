// Fields that matter only for some values of another field (e.g. the qualified fraction only
// for a qualified majority). Progressive enhancement: without JavaScript every field shows, and
// the server validates them all the same. A field with an error is never hidden.
(function () {
  "use strict";
  function contenitore(campo) {
    return campo.closest(".form-group, .select-wrapper, .form-check, .mb-4") || campo.parentElement;
  }
  document.querySelectorAll("[data-mostra-se]").forEach(function (campo) {
    var guida = document.getElementById(campo.getAttribute("data-mostra-se"));
    if (!guida) {
      return;
    }
    var valori = (campo.getAttribute("data-mostra-valori") || "").split(" ");
    var riquadro = contenitore(campo);
    function aggiorna() {
      riquadro.hidden = valori.indexOf(guida.value) === -1 && !campo.classList.contains("is-invalid");
    }
    guida.addEventListener("change", aggiorna);
    aggiorna();
  });
})();
