/* The wrapper of a package lesson (issue 18), on the site. The package plays in a frame from
   the package host; its launcher posts the run-time data here, and this page posts it to the
   site with the learner's session and CSRF token. Messages from any other origin or window
   are ignored. */
(function () {
    "use strict";
    var root = document.querySelector("[data-package-player]");
    if (!root) { return; }
    var frame = root.querySelector("iframe");
    var status = root.querySelector("[data-package-status]");
    var next = root.querySelector("[data-package-next]");
    var token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
    var links = Array.prototype.slice.call(root.querySelectorAll("a[data-part]"));
    var queue = Promise.resolve();

    function post(message) {
        var body = JSON.stringify({ sco: message.sco, values: message.values, finished: message.finished });
        queue = queue.then(function () {
            return fetch(root.dataset.commitUrl, {
                method: "POST",
                credentials: "same-origin",
                keepalive: body.length < 60000,
                headers: { "Content-Type": "application/json", "X-CSRFToken": token },
                body: body
            }).then(function (response) {
                return response.json().then(function (state) {
                    status.textContent = response.ok ? state.message : state.error;
                    root.dataset.lessonCompleted = state.lesson_completed ? "true" : "false";
                });
            }).catch(function () {});
        });
    }

    window.addEventListener("message", function (event) {
        if (event.origin !== root.dataset.packagesOrigin || event.source !== frame.contentWindow) {
            return;
        }
        var message = event.data;
        if (!message || (message.type !== "cmi" && message.type !== "h5p") || typeof message.sco !== "string") {
            return;
        }
        post(message);
    });

    function current(index) {
        links.forEach(function (link, position) {
            if (position === index) { link.setAttribute("aria-current", "step"); }
            else { link.removeAttribute("aria-current"); }
        });
        if (next) { next.hidden = index >= links.length - 1; }
    }
    links.forEach(function (link, index) {
        link.addEventListener("click", function () { current(index); });
    });
    if (next && links.length > 1) {
        next.hidden = false;
        next.addEventListener("click", function () {
            var index = links.findIndex(function (link) { return link.hasAttribute("aria-current"); });
            var target = links[Math.min(index + 1, links.length - 1)];
            frame.src = target.href;
            current(links.indexOf(target));
        });
    }
})();
