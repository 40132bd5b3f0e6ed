/* The H5P player (issue 18), on the package host: h5p-standalone plays the content; its xAPI
   results (completed, answered, score, success) and its state (to resume) are relayed to the
   wrapper page on the site with postMessage. */
(function () {
    "use strict";
    var data = JSON.parse(document.getElementById("lms-data").textContent);
    var SUBCONTENT = "http://h5p.org/x-api/h5p-subContentId";
    var lastState = data.h5p.state || "";

    function send(values) {
        window.parent.postMessage({ type: "h5p", sco: data.sco, values: values, finished: false }, data.siteOrigin);
    }

    function instances() {
        var frame = document.querySelector("#h5p-container iframe");
        var inner = frame && frame.contentWindow && frame.contentWindow.H5P;
        return (inner && inner.instances) || (window.H5P && window.H5P.instances) || [];
    }

    function currentState() {
        var list = instances();
        if (list.length && typeof list[0].getCurrentState === "function") {
            try { return JSON.stringify(list[0].getCurrentState() || {}); } catch (error) { /* below */ }
        }
        // What H5P core saved itself (every saveFreq seconds): contentUserData[0].state.
        var integration = window.H5PIntegration;
        var content = integration && integration.contents && integration.contents["cid-lesson"];
        var saved = content && content.contentUserData && content.contentUserData[0];
        return saved && typeof saved.state === "string" && saved.state !== "RESET" ? saved.state : "";
    }

    function text(map) {
        if (!map) { return ""; }
        return map["sv-SE"] || map["en-US"] || map[Object.keys(map)[0]] || "";
    }

    function onStatement(event) {
        var statement = event.data && event.data.statement;
        if (!statement || !statement.result) { return; }
        var verb = statement.verb.id.split("/").pop();
        if (verb !== "answered" && verb !== "completed") { return; }
        var result = statement.result;
        var definition = (statement.object && statement.object.definition) || {};
        var extensions = definition.extensions || {};
        var values = { completed: "true" };
        if (typeof result.success === "boolean") { values.success = String(result.success); }
        if (result.score && typeof result.score.raw === "number" && typeof result.score.max === "number") {
            values.raw = String(result.score.raw);
            values.max = String(result.score.max);
            if (result.score.max > 0) { values.scaled = String(Math.round(result.score.raw / result.score.max * 10000) / 10000); }
        }
        if (verb === "answered") {
            values.interaction = String(extensions[SUBCONTENT] || "main");
            values.interaction_type = String(definition.interactionType || "other");
            values.question = text(definition.description).replace(/<[^>]*>/g, "").slice(0, 250);
            if (typeof result.response === "string") { values.response = result.response; }
            if (definition.correctResponsesPattern && definition.correctResponsesPattern.length) {
                values.correct_responses = String(definition.correctResponsesPattern[0]);
            }
        }
        var state = currentState();
        if (state) { values.state = state; lastState = state; }
        send(values);
    }

    // Leaving the lesson: the wrapper asks, the latest state goes first, then "finished".
    window.addEventListener("message", function (event) {
        if (event.source !== window.parent || event.origin !== data.siteOrigin) { return; }
        if (!event.data || event.data.type !== "finish") { return; }
        var state = currentState();
        if (state && state !== lastState) { lastState = state; send({ state: state }); }
        window.parent.postMessage({ type: "finished", sco: data.sco }, data.siteOrigin);
    });

    // The package host is a third party in the learner's browser, and a browser that blocks
    // third-party storage throws on every read of window.localStorage. H5P core reads it
    // while it starts the content (its offline queue, the clipboard), and the exception
    // stopped the start half-way: no H5P.instances, no saved state, nothing to restore.
    // There, the content gets a storage that lives as long as the page (what it kept is the
    // same for us: the state we store on the server).
    function storageFallback(win) {
        try {
            if (win.localStorage) { return; }
        } catch (error) { /* denied: below */ }
        var items = {};
        var memory = {
            getItem: function (key) { return Object.prototype.hasOwnProperty.call(items, key) ? items[key] : null; },
            setItem: function (key, value) { items[key] = String(value); },
            removeItem: function (key) { delete items[key]; },
            clear: function () { items = {}; },
            key: function (index) { return Object.keys(items)[index] || null; }
        };
        Object.defineProperty(memory, "length", { get: function () { return Object.keys(items).length; } });
        try { Object.defineProperty(win, "localStorage", { value: memory, configurable: true }); } catch (error) { /* as it was */ }
    }
    storageFallback(window);

    document.addEventListener("DOMContentLoaded", function () {
        var container = document.getElementById("h5p-container");
        new MutationObserver(function () {
            Array.prototype.forEach.call(container.querySelectorAll("iframe"), function (frame) {
                if (frame.contentWindow) { storageFallback(frame.contentWindow); }
            });
        }).observe(container, { childList: true, subtree: true });
        var options = {
            id: "lesson",
            h5pJsonPath: data.h5p.h5pJsonPath,
            frameJs: data.h5p.frameJs,
            frameCss: data.h5p.frameCss,
            frame: false,
            icon: false,
            saveFreq: 3  // H5P core restores previousState only with a save frequency
        };
        if (data.h5p.state) {
            // H5P core reads contentUserData[subContentId][dataType] (0: the main content):
            // the shape in h5p-standalone's README is passed through unread and restores nothing.
            options.contentUserData = [{ state: data.h5p.state }];
        }
        new window.H5PStandalone.H5P(container, options).then(function () {
            window.H5P.externalDispatcher.on("xAPI", onStatement);
            window.setInterval(function () {
                var state = currentState();
                if (state && state !== lastState) { lastState = state; send({ state: state }); }
            }, 3000);
        });
    });
})();
