// Attendance register of a tavolo's session: "Aggiungi una riga" adds an empty guest line
// (Django formset: the new line takes the next index and TOTAL_FORMS grows). Without
// JavaScript the form still offers three empty lines.
(function () {
  var bottone = document.getElementById("aggiungi-ospite");
  var modello = document.getElementById("modello-ospite");
  var righe = document.getElementById("righe-ospiti");
  if (!bottone || !modello || !righe) {
    return;
  }
  var totale = document.getElementById("id_" + bottone.getAttribute("data-prefisso") + "-TOTAL_FORMS");
  bottone.classList.remove("d-none");
  bottone.addEventListener("click", function () {
    var indice = parseInt(totale.value, 10);
    var html = modello.innerHTML.replace(/__prefix__/g, String(indice)).replace(/__numero__/g, String(indice + 1));
    righe.insertAdjacentHTML("beforeend", html);
    totale.value = String(indice + 1);
    var campi = righe.querySelectorAll(".riga-ospite input");
    if (campi.length > 1) {
      campi[campi.length - 2].focus();
    }
  });
})();
