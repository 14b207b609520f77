// "Aggiungi un componente": a new empty row of a Django formset, from its <template>.
// Progressive enhancement: without JavaScript the form offers a few empty rows already.
(function () {
  "use strict";
  var pulsante = document.getElementById("aggiungi-componente");
  var modello = document.getElementById("riga-componente-vuota");
  var righe = document.getElementById("righe-componenti");
  var totale = document.getElementById("id_componenti-TOTAL_FORMS");
  if (!pulsante || !modello || !righe || !totale) {
    return;
  }
  pulsante.hidden = false;
  pulsante.addEventListener("click", function () {
    var indice = parseInt(totale.value, 10);
    var html = modello.innerHTML.replace(/__prefix__/g, String(indice)).replace(/__numero__/g, String(indice + 1));
    righe.insertAdjacentHTML("beforeend", html);
    totale.value = String(indice + 1);
    var nuova = righe.lastElementChild.querySelector("select, input");
    if (nuova) {
      nuova.focus();
    }
  });
})();
