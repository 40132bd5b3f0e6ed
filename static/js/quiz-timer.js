/* The timed quiz (issue 14, WCAG 2.2.1): a visible countdown that screen readers are not
   made to read every second (role="timer" is not live), warnings they do hear at 5 minutes
   and 1 minute left (role="alert"), the answers saved as the learner goes, and the form
   submitted when the time runs out. The form works without this script; the server keeps
   the time and grades what was saved by the deadline. Texts come from the page's
   <template> elements, in the page's language. */
(function () {
    "use strict";
    var form = document.getElementById("quiz-form");
    var timer = document.getElementById("quiz-time-left");
    var alertBox = document.getElementById("quiz-time-warning");
    var status = document.getElementById("quiz-autosave-status");
    if (!form || !timer || !alertBox) {
        return;
    }
    var clock = timer.querySelector("time");
    var match = /^PT(\d+)S$/.exec(clock.getAttribute("datetime") || "");
    if (!match) {
        return;
    }
    var end = Date.now() + parseInt(match[1], 10) * 1000;
    var warnings = [[300, "quiz-text-5min"], [60, "quiz-text-1min"]];
    var warned = {};
    var submitting = false;

    function text(id) {
        var template = document.getElementById(id);
        return template ? template.content.textContent.trim() : "";
    }

    function show(seconds) {
        var hours = Math.floor(seconds / 3600);
        var minutes = Math.floor((seconds % 3600) / 60);
        var rest = seconds % 60;
        var two = function (n) { return (n < 10 ? "0" : "") + n; };
        clock.textContent = hours ? hours + ":" + two(minutes) + ":" + two(rest) : minutes + ":" + two(rest);
        clock.setAttribute("datetime", "PT" + seconds + "S");
    }

    function submitNow() {
        if (submitting) {
            return;
        }
        submitting = true;
        alertBox.textContent = text("quiz-text-up");
        var button = form.querySelector("button[value=submit]");
        if (form.requestSubmit && button) {
            form.requestSubmit(button);
        } else {
            var action = document.createElement("input");
            action.type = "hidden";
            action.name = "action";
            action.value = "submit";
            form.appendChild(action);
            form.submit();
        }
    }

    function tick() {
        var left = Math.max(0, Math.round((end - Date.now()) / 1000));
        show(left);
        for (var i = 0; i < warnings.length; i++) {
            var limit = warnings[i][0];
            // One warning at a time: the latest one reached (a page opened with 3 minutes
            // left warns of 5 at once, and of 1 later).
            if (left <= limit && !warned[limit] && left > 0) {
                warned[limit] = true;
                for (var j = i + 1; j < warnings.length; j++) {
                    if (left <= warnings[j][0]) {
                        warned[warnings[j][0]] = true;
                        limit = warnings[j][0];
                    }
                }
                alertBox.textContent = text(limit === 300 ? "quiz-text-5min" : "quiz-text-1min");
            }
        }
        if (left <= 0) {
            submitNow();
            return;
        }
        window.setTimeout(tick, 1000);
    }

    // Saving as the learner goes: shortly after each change, and never two at once.
    var pending = null;
    var saving = false;
    var dirty = false;

    function save() {
        pending = null;
        if (submitting) {
            return;
        }
        if (saving) {
            dirty = true;
            return;
        }
        saving = true;
        dirty = false;
        var data = new FormData(form);
        data.set("action", "autosave");
        window.fetch(window.location.href, {
            method: "POST",
            body: data,
            credentials: "same-origin",
            headers: {"Accept": "application/json"}
        }).then(function (response) {
            return response.json().then(function (body) {
                return {status: response.status, body: body};
            });
        }).then(function (answer) {
            if (answer.status === 409 && answer.body.result) {
                submitting = true;
                window.location.assign(answer.body.result);
                return;
            }
            if (status) {
                if (answer.status === 200) {
                    var now = new Date();
                    var two = function (n) { return (n < 10 ? "0" : "") + n; };
                    status.textContent = text("quiz-text-saved") + " " + two(now.getHours()) + ":" + two(now.getMinutes());
                } else {
                    status.textContent = answer.body.error || text("quiz-text-not-saved");
                }
            }
        }).catch(function () {
            if (status) {
                status.textContent = text("quiz-text-not-saved");
            }
        }).then(function () {
            saving = false;
            if (dirty) {
                save();
            }
        });
    }

    function changed() {
        if (pending) {
            window.clearTimeout(pending);
        }
        pending = window.setTimeout(save, 800);
    }

    form.addEventListener("change", changed);
    form.addEventListener("input", changed);
    form.addEventListener("submit", function () {
        submitting = true;
    });
    tick();
}());
