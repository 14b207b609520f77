// Loaded before Bootstrap Italia's bundle. Its fonts come from css/caratteri.css (our static
// files, no CDN, no inline <style>); the video player it bundles must not inject its default
// inline <style> either, which the Content-Security-Policy would refuse (we show no videos).
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
