// Bootstrap Italia's fonts are served from our static files, never from a CDN.
(function () {
  var path = document.body.getAttribute("data-fonts-path");
  if (window.bootstrap && window.bootstrap.loadFonts && path) {
    window.bootstrap.loadFonts(path);
  }
})();
