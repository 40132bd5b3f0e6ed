/* Pages that use a security key or passkey (issue 16): allauth's webauthn.js runs the
   browser's dialog and reports a failure only to the console; this script writes it into the
   page's alert box (role="alert", announced by screen readers) and moves focus there, in the
   page's language (texts from the page's <template> elements). Buttons stay usable: the
   learner can try again or use a code instead. */
(function () {
    "use strict";
    var box = document.getElementById("key-status");
    if (!box) {
        return;
    }
    function text(id) {
        var template = document.getElementById(id);
        return template ? template.content.textContent.trim() : "";
    }
    function show(id) {
        box.textContent = text(id);
        box.focus();
    }
    if (!window.PublicKeyCredential) {
        show("key-text-unsupported");
        return;
    }
    document.addEventListener("allauth.error", function (event) {
        event.preventDefault();
        show("key-text-failed");
    });
})();
