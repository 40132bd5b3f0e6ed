/* The SCORM launcher (issue 18), on the package host. It holds the run-time API (scorm-again)
   where the SCO looks for it (window.parent.API / API_1484_11), loads the learner's stored
   data into it, and relays every commit to the wrapper page on the site with postMessage:
   only the wrapper, signed in on the site, can post them to the server. */
(function () {
    "use strict";
    var data = JSON.parse(document.getElementById("lms-data").textContent);
    var scorm12 = data.version === "scorm12";
    var writable = data.writable.map(function (pattern) {
        var escaped = pattern.replace(/\./g, "\\.").replace(/\\\.n(?=\\\.|$)/g, "\\.\\d+");
        return new RegExp("^" + escaped + "$");
    });

    function flatten(value, prefix, out) {
        if (value !== null && typeof value === "object") {
            Object.keys(value).forEach(function (key) {
                flatten(value[key], prefix ? prefix + "." + key : key, out);
            });
        } else if (value !== undefined && value !== null && value !== "") {
            out[prefix] = String(value);
        }
        return out;
    }

    function relay(params, finished) {
        var flat = flatten(params, "", {});
        var values = {};
        Object.keys(flat).forEach(function (key) {
            if (writable.some(function (pattern) { return pattern.test(key); })) {
                values[key] = flat[key];
            }
        });
        window.parent.postMessage(
            { type: "cmi", sco: data.sco, values: values, finished: Boolean(finished) },
            data.siteOrigin
        );
    }

    var settings = {
        lmsCommitUrl: "relay:wrapper",
        autocommit: true,
        autocommitSeconds: 3,
        logLevel: 5,
        httpService: {
            processHttpRequest: function (url, params, immediate) {
                // Rendered afresh: a scheduled commit may carry a snapshot older than the
                // terminating one, and the last one stored must be the latest state.
                relay(api ? api.renderCMIToJSONObject() : params, immediate);
                return { result: "true", errorCode: 0 };
            },
            updateSettings: function () {}
        }
    };
    var api = scorm12 ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    api.loadFromFlattenedJSON(data.cmi, "");
    if (scorm12) {
        // SCORM 1.2: a SCO that finishes without setting a status is completed (RTE 3.4.4).
        var finish = api.LMSFinish.bind(api);
        api.LMSFinish = function (argument) {
            if (api.cmi.core.lesson_status === "not attempted") {
                api.cmi.core.lesson_status = "completed";
            }
            return finish(argument);
        };
    }
    window[scorm12 ? "API" : "API_1484_11"] = api;

    // Leaving the lesson (another part, another page, signing out): the wrapper asks first,
    // and waits. The SCO is unloaded here, while the wrapper still listens, so that its own
    // unload handler ends the session (session time, exit, LMSFinish/Terminate) and that
    // last commit is relayed before the wrapper goes; a SCO that never terminates has its
    // current state relayed as it is. Then "finished" says the relay is over. (Relayed from
    // the SCO's unload when the wrapper itself is already unloading, the last commit could be
    // lost: that was the lagging bookmark of issue 18.)
    var finishing = false;
    window.addEventListener("message", function (event) {
        if (event.source !== window.parent || event.origin !== data.siteOrigin) { return; }
        if (!event.data || event.data.type !== "finish" || finishing) { return; }
        finishing = true;
        var sco = document.getElementById("sco");
        function done() {
            if (api.isInitialized() && !api.isTerminated()) { relay(api.renderCMIToJSONObject(), false); }
            window.parent.postMessage({ type: "finished", sco: data.sco }, data.siteOrigin);
        }
        if (!sco.getAttribute("src") || sco.getAttribute("src") === "about:blank") { done(); return; }
        sco.addEventListener("load", done, { once: true });
        sco.src = "about:blank";
    });
    document.addEventListener("DOMContentLoaded", function () {
        document.getElementById("sco").src = data.launch;
    });
})();
