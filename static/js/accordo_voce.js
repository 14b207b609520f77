// The cost item form: the three shares and the users served matter only for the mixed rule,
// so they hide while "per abitante" is chosen; the sum of the shares is shown as it is typed.
// Progressive enhancement: without JavaScript every field shows, and the server validates the
// same input either way. A part with an error is never hidden.
(function () {
  "use strict";
  var scelte = document.querySelectorAll('input[name="criterio"]');
  var riquadri = document.querySelectorAll("[data-solo-misto]");
  if (!scelte.length || !riquadri.length) {
    return;
  }
  function criterio() {
    for (var i = 0; i < scelte.length; i++) {
      if (scelte[i].checked) {
        return scelte[i].value;
      }
    }
    return "";
  }
  function mostra() {
    var misto = criterio() === "misto";
    riquadri.forEach(function (riquadro) {
      riquadro.hidden = !misto && !riquadro.querySelector(".is-invalid");
    });
  }
  scelte.forEach(function (scelta) {
    scelta.addEventListener("change", mostra);
  });
  mostra();

  // "33,33" -> 3333 hundredths of a percent; NaN for anything the server would refuse.
  function centesimi(testo) {
    var valore = testo.replace("%", "").replace(/\s/g, "");
    if (!valore) {
      return 0;
    }
    var parti = /^(\d{1,3})(?:,(\d{1,2}))?$/.exec(valore);
    if (!parti) {
      return NaN;
    }
    return parseInt(parti[1], 10) * 100 + (parti[2] ? parseInt((parti[2] + "0").slice(0, 2), 10) : 0);
  }
  var somma = document.getElementById("somma-quote");
  var quote = document.querySelectorAll("[data-quota]");
  if (!somma || !quote.length) {
    return;
  }
  function aggiorna() {
    var totale = 0;
    quote.forEach(function (campo) {
      totale += centesimi(campo.value);
    });
    if (isNaN(totale)) {
      somma.hidden = true;
      return;
    }
    var testo = String(Math.floor(totale / 100));
    if (totale % 100) {
      testo += "," + String(totale % 100 + 100).slice(1).replace(/0$/, "");
    }
    var modello = totale === 10000 ? somma.dataset.modello : somma.dataset.modelloErrato;
    somma.textContent = modello.replace("{somma}", testo);
    somma.hidden = false;
  }
  quote.forEach(function (campo) {
    campo.addEventListener("input", aggiorna);
  });
  aggiorna();
})();
