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
        if (!message || typeof message.sco !== "string") { return; }
        if (message.type === "finished") {
            if (finished) { finished(); }
            return;
        }
        if (message.type !== "cmi" && message.type !== "h5p") { return; }
        post(message);
    });

    // Leaving the part or the page: first the package ends its session and its last commit
    // is stored, then the learner goes (see launcher.js). At most a few seconds when the
    // package host does not answer. Closing the tab cannot wait: then the last commit is
    // relayed from the package's unload and may be lost (the autocommit keeps the loss to
    // the last seconds).
    var finished = null;
    var leaving = false;

    function wait(milliseconds) {
        return new Promise(function (resolve) { window.setTimeout(resolve, milliseconds); });
    }

    var destination = null;

    function leave(go) {
        destination = go;  // a second click while leaving changes only where to
        if (leaving) { return; }
        leaving = true;
        var answered = new Promise(function (resolve) { finished = resolve; });
        frame.contentWindow.postMessage({ type: "finish" }, root.dataset.packagesOrigin);
        Promise.race([answered, wait(3000)]).then(function () {
            // The commits relayed before "finished" are in the queue already.
            return Promise.race([queue, wait(5000)]);
        }).then(function () {
            finished = null;
            leaving = false;
            destination();
        });
    }

    var submitting = false;
    document.addEventListener("click", function (event) {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
            return;
        }
        var link = event.target.closest ? event.target.closest("a[href]") : null;
        if (!link || link.hasAttribute("download") || link.dataset.part !== undefined) { return; }
        if (link.target && link.target !== "_self") { return; }
        var url = new URL(link.href, window.location.href);
        if (url.hash && url.href.split("#")[0] === window.location.href.split("#")[0]) { return; }
        event.preventDefault();
        leave(function () { window.location.assign(link.href); });
    });
    document.addEventListener("submit", function (event) {
        if (event.defaultPrevented || submitting || root.contains(event.target)) { return; }
        var form = event.target;
        var submitter = event.submitter || undefined;
        event.preventDefault();
        leave(function () {
            submitting = true;
            try { form.requestSubmit(submitter); } finally { submitting = false; }
        });
    });

    function current(index) {
        links.forEach(function (link, position) {
            if (position === index) { link.setAttribute("aria-current", "step"); }
            else { link.removeAttribute("aria-current"); }
        });
        if (next) { next.hidden = index >= links.length - 1; }
    }
    function open(index) {
        leave(function () {
            frame.src = links[index].href;
            current(index);
        });
    }
    links.forEach(function (link, index) {
        link.addEventListener("click", function (event) {
            if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
            event.preventDefault();
            open(index);
        });
    });
    if (next && links.length > 1) {
        next.hidden = false;
        next.addEventListener("click", function () {
            var index = links.findIndex(function (link) { return link.hasAttribute("aria-current"); });
            open(Math.min(index + 1, links.length - 1));
        });
    }
})();
