/* The section editor: Trix over the section's textarea. Without JavaScript (or if Trix does
   not load) the textarea stays and is sent as it is; the server sanitises either way.
   Trix writes paragraphs as <div> and headings as <h1>: the server maps them to <p> and <h3>. */
(function () {
  "use strict";
  var area = document.querySelector("textarea[data-editor='trix']");
  if (!area || !window.customElements || !window.Trix) { return; }
  // No attachments: the plan's text holds no files.
  document.addEventListener("trix-file-accept", function (e) { e.preventDefault(); });
  var lang = window.Trix.config.lang;
  var it = {
    bold: "Grassetto", italic: "Corsivo", strike: "Barrato", link: "Collegamento",
    heading1: "Titolo", quote: "Citazione", code: "Codice", bullets: "Elenco puntato",
    numbers: "Elenco numerato", outdent: "Riduci rientro", indent: "Aumenta rientro",
    undo: "Annulla", redo: "Ripeti", attachFiles: "Allega file", url: "Indirizzo",
    urlPlaceholder: "Scrivi un indirizzo web", unlink: "Togli collegamento", remove: "Togli",
    captionPlaceholder: "Aggiungi una didascalia…"
  };
  if (document.documentElement.lang === "it") {
    Object.keys(it).forEach(function (k) { lang[k] = it[k]; });
  }
  var id = area.id + "-trix";
  var input = document.createElement("input");
  input.type = "hidden";
  input.id = id;
  input.value = area.value;
  var editor = document.createElement("trix-editor");
  editor.setAttribute("input", id);
  editor.setAttribute("class", "trix-content form-control");
  editor.setAttribute("aria-labelledby", "etichetta-testo");
  if (area.getAttribute("aria-describedby")) {
    editor.setAttribute("aria-describedby", area.getAttribute("aria-describedby"));
  }
  area.parentNode.insertBefore(input, area);
  area.parentNode.insertBefore(editor, area);
  area.hidden = true;
  area.setAttribute("aria-hidden", "true");
  var etichetta = document.getElementById("etichetta-testo");
  if (etichetta) {
    etichetta.removeAttribute("for");
    etichetta.addEventListener("click", function () { editor.focus(); });
  }
  editor.addEventListener("trix-initialize", function () {
    // The attach button has no use here.
    var allega = editor.toolbarElement && editor.toolbarElement.querySelector("[data-trix-button-group='file-tools']");
    if (allega) { allega.remove(); }
  });
  editor.addEventListener("trix-change", function () { area.value = input.value; });
  area.form.addEventListener("submit", function () { area.value = input.value; });
})();
