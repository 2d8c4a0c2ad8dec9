"use strict";

// The dashboard polls the summary every two seconds and keeps the last five minutes of rates in the
// page itself: the service holds totals only, rates are the difference between two polls.
const SUMMARY_URL = "/dashboard/api/summary";
const REPLAY_URL = "/admin/dead-letters/replay";
const DEAD_LETTERS_URL = "/admin/dead-letters";
const POLL_MILLIS = 2000;
const HISTORY = 150;
const STALE_AFTER_MILLIS = 10000;

const previous = { at: null, topics: new Map(), jobs: new Map() };
const history = { published: [], handled: [], failures: [], topics: new Map() };
let lastSuccess = 0;

function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
        if (value !== null && value !== undefined) {
            node.setAttribute(name, value);
        }
    });
    children.forEach(child => node.append(child));
    return node;
}

function svgElement(tag, attributes) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
    return node;
}

function formatAge(seconds) {
    if (!seconds) {
        return "–";
    }
    if (seconds < 60) {
        return seconds.toFixed(0) + " s";
    }
    if (seconds < 3600) {
        return Math.floor(seconds / 60) + " min " + Math.floor(seconds % 60) + " s";
    }
    return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
}

function formatRate(rate) {
    if (rate === null || rate === undefined) {
        return "–";
    }
    return rate >= 10 ? rate.toFixed(0) : rate.toFixed(1);
}

function rate(now, before, seconds) {
    if (before === undefined || seconds <= 0) {
        return null;
    }
    return Math.max(0, now - before) / seconds;
}

function push(series, value) {
    series.push(value);
    if (series.length > HISTORY) {
        series.shift();
    }
}

/** A value cell: the figure as text (also in data-value), tagged with what it is for the tests and tools. */
function valueSpan(keyName, key, metric, value, text) {
    const attributes = { class: "value", "data-metric": metric, "data-value": value === null ? "" : String(value) };
    attributes[keyName] = key;
    return element("span", attributes, text === undefined ? String(value) : text);
}

/** A horizontal bar, its length relative to the largest value of its column. */
function bar(value, max, warn) {
    const width = 80;
    const svg = svgElement("svg", { class: "bar", width: String(width), height: "10", "aria-hidden": "true" });
    svg.append(svgElement("rect", { class: "track", x: "0", y: "0", width: String(width), height: "10", rx: "2" }));
    const length = max > 0 && value > 0 ? Math.max(2, Math.round(width * value / max)) : 0;
    svg.append(svgElement("rect", { class: warn ? "fill warn" : "fill", x: "0", y: "0", width: String(length),
        height: "10", rx: "2" }));
    return svg;
}

function sparkline(series) {
    const canvas = element("canvas", { class: "spark", width: "90", height: "22", "aria-hidden": "true" });
    const context = canvas.getContext("2d");
    const values = series.filter(value => value !== null);
    if (values.length < 2) {
        return canvas;
    }
    const max = Math.max(...values, 0.001);
    context.strokeStyle = "#4a7fd4";
    context.lineWidth = 1.5;
    context.beginPath();
    // the newest point at the right edge, as in the throughput chart
    series.forEach((value, index) => {
        const x = canvas.width * (HISTORY - series.length + index) / (HISTORY - 1);
        const y = canvas.height - 2 - (canvas.height - 4) * (value || 0) / max;
        if (index === 0) {
            context.moveTo(x, y);
        } else {
            context.lineTo(x, y);
        }
    });
    context.stroke();
    return canvas;
}

function drawThroughput() {
    const canvas = document.getElementById("throughput");
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const context = canvas.getContext("2d");
    context.scale(ratio, ratio);
    context.clearRect(0, 0, width, height);
    const all = [...history.published, ...history.handled, ...history.failures].filter(value => value !== null);
    const max = Math.max(1, ...all);
    const left = 48;
    const plotWidth = width - left - 8;
    const plotHeight = height - 20;
    context.fillStyle = "#57606a";
    context.font = "11px system-ui, sans-serif";
    context.fillText(formatRate(max) + "/s", 4, 14);
    context.fillText("0", 4, plotHeight + 4);
    context.strokeStyle = "#eaeef2";
    context.beginPath();
    context.moveTo(left, 8);
    context.lineTo(left, plotHeight + 8);
    context.lineTo(left + plotWidth, plotHeight + 8);
    context.stroke();
    [["published", "#4a7fd4"], ["handled", "#2d8a4e"], ["failures", "#b42318"]].forEach(([name, colour]) => {
        const series = history[name];
        context.strokeStyle = colour;
        context.lineWidth = 1.8;
        context.beginPath();
        let started = false;
        series.forEach((value, index) => {
            if (value === null) {
                return;
            }
            const x = left + plotWidth * (HISTORY - series.length + index) / (HISTORY - 1);
            const y = 8 + plotHeight - plotHeight * value / max;
            if (started) {
                context.lineTo(x, y);
            } else {
                context.moveTo(x, y);
                started = true;
            }
        });
        context.stroke();
    });
}

function renderCircuits(circuits) {
    const box = document.getElementById("circuits");
    box.replaceChildren(...circuits.map(circuit => element("span",
        { class: "circuit " + circuit.state, "data-broker": circuit.broker },
        circuit.broker + ": ",
        element("span", { "data-broker": circuit.broker, "data-metric": "circuit" }, circuit.state))));
}

function replay(topic, button) {
    button.disabled = true;
    fetch(REPLAY_URL, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ topic: topic })
    }).then(response => response.json().then(body => ({ ok: response.ok, body: body })))
        .then(result => {
            const notice = document.getElementById("notice");
            notice.textContent = result.ok
                ? "Replayed " + result.body.replayed + " dead letter(s) of " + topic
                : "Replay of " + topic + " refused: " + (result.body.error || "unknown error");
        })
        .catch(error => {
            document.getElementById("notice").textContent = "Replay of " + topic + " failed: " + error;
        })
        .finally(() => {
            button.disabled = false;
        });
}

function renderTopics(topics, seconds) {
    const maxBacklog = Math.max(0, ...topics.map(topic => topic.backlog));
    const maxLag = Math.max(0, ...topics.map(topic => topic.consumerLag || 0));
    let published = null;
    let handled = null;
    let failures = null;
    const rows = topics.map(topic => {
        const before = previous.topics.get(topic.topic) || {};
        const publishedRate = rate(topic.published, before.published, seconds);
        const handledRate = rate(topic.handled, before.handled, seconds);
        const failureRate = rate(topic.failures, before.failures, seconds);
        if (publishedRate !== null) {
            published = (published || 0) + publishedRate;
            handled = (handled || 0) + handledRate;
            failures = (failures || 0) + failureRate;
        }
        let series = history.topics.get(topic.topic);
        if (!series) {
            series = [];
            history.topics.set(topic.topic, series);
        }
        push(series, publishedRate);
        previous.topics.set(topic.topic, topic);

        const key = topic.topic;
        const cell = (metric, value, text, extra) => element("td", null,
            valueSpan("data-topic", key, metric, value, text), ...(extra || []));
        const replayButton = element("button", { type: "button", "data-topic": key, "data-action": "replay",
            title: "send this topic's waiting dead letters back to their consumers" }, "replay");
        replayButton.disabled = topic.deadLetters === 0;
        replayButton.addEventListener("click", () => replay(key, replayButton));
        const list = element("a", { href: DEAD_LETTERS_URL + "?topic=" + encodeURIComponent(key), "data-topic": key,
            "data-action": "list", target: "_blank" }, "list");
        const failureCell = cell("failure-rate", failureRate === null ? null : failureRate.toFixed(2),
            formatRate(failureRate));
        failureCell.title = topic.failures + " failed attempts since start-up";
        failureCell.append(element("small", null, " · ",
            valueSpan("data-topic", key, "failures", topic.failures), " total"));
        const row = element("tr", { "data-topic": key },
            element("td", null, key),
            element("td", null, topic.broker),
            cell("backlog", topic.backlog, undefined, [bar(topic.backlog, maxBacklog, false)]),
            cell("oldest-age", topic.oldestAgeSeconds, formatAge(topic.oldestAgeSeconds)),
            cell("parked", topic.parked),
            cell("published-rate", publishedRate === null ? null : publishedRate.toFixed(2), formatRate(publishedRate),
                [sparkline(series), valueSpan("data-topic", key, "published", topic.published, "")]),
            topic.consumerLag === null
                ? cell("lag", null, "–")
                : cell("lag", topic.consumerLag, undefined, [bar(topic.consumerLag, maxLag, true)]),
            cell("p95", topic.processingP95Millis === null ? null : Math.round(topic.processingP95Millis),
                topic.processingP95Millis === null ? "–" : String(Math.round(topic.processingP95Millis))),
            failureCell,
            cell("retries", topic.retries),
            cell("dead-letters", topic.deadLetters, undefined, [replayButton, " ", list]));
        if (topic.deadLetters > 0 || topic.parked > 0) {
            row.querySelectorAll('[data-metric="dead-letters"], [data-metric="parked"]').forEach(span => {
                if (span.dataset.value !== "0") {
                    span.classList.add("bad");
                }
            });
        }
        return row;
    });
    // a replay button being clicked keeps its row: only rows whose figures changed are replaced
    const body = document.querySelector("#topics tbody");
    const current = new Map([...body.children].map(row => [row.dataset.topic, row]));
    rows.forEach((row, index) => {
        const old = current.get(row.dataset.topic);
        if (old && old.isEqualNode(row) && body.children[index] === old) {
            return;
        }
        if (old) {
            old.remove();
        }
        body.insertBefore(row, body.children[index] || null);
    });
    [...body.children].slice(rows.length).forEach(row => row.remove());
    push(history.published, published);
    push(history.handled, handled);
    push(history.failures, failures);
}

function renderConsumers(consumers) {
    const maxLag = Math.max(0, ...consumers.map(consumer => consumer.lag));
    document.querySelector("#consumers tbody").replaceChildren(...consumers.map(consumer => {
        const key = consumer.consumer + "|" + consumer.source;
        return element("tr", { "data-consumer": consumer.consumer },
            element("td", null, consumer.consumer),
            element("td", null, consumer.broker),
            element("td", null, consumer.source),
            element("td", null, valueSpan("data-consumer", key, "lag", consumer.lag), bar(consumer.lag, maxLag, true)),
            element("td", null, consumer.running ? "started" : "stopped"));
    }));
}

function renderJobs(queues, seconds) {
    const maxReady = Math.max(0, ...queues.map(queue => queue.ready));
    document.querySelector("#jobs tbody").replaceChildren(...queues.map(queue => {
        const before = previous.jobs.get(queue.queue) || {};
        const succeededRate = rate(queue.succeeded, before.succeeded, seconds);
        previous.jobs.set(queue.queue, queue);
        const key = queue.queue;
        return element("tr", { "data-queue": key },
            element("td", null, key),
            element("td", null, valueSpan("data-queue", key, "ready", queue.ready), bar(queue.ready, maxReady, false)),
            element("td", null, valueSpan("data-queue", key, "oldest-ready-age", queue.oldestReadyAgeSeconds,
                formatAge(queue.oldestReadyAgeSeconds))),
            element("td", null, valueSpan("data-queue", key, "running", queue.running)),
            element("td", null, valueSpan("data-queue", key, "scheduled", queue.scheduled)),
            element("td", null, valueSpan("data-queue", key, "succeeded-rate", succeededRate, formatRate(succeededRate))),
            element("td", null, valueSpan("data-queue", key, "failed", queue.failed)));
    }));
}

function render(summary) {
    const at = Date.parse(summary.at);
    const seconds = previous.at === null ? 0 : (at - previous.at) / 1000;
    renderCircuits(summary.circuits);
    renderTopics(summary.topics, seconds);
    renderConsumers(summary.consumers);
    renderJobs(summary.jobQueues, seconds);
    drawThroughput();
    previous.at = at;
    const updated = document.getElementById("updated");
    updated.textContent = "updated " + new Date(at).toLocaleTimeString();
    updated.dataset.value = summary.at;
    updated.classList.remove("stale");
}

function poll() {
    fetch(SUMMARY_URL, { cache: "no-store", headers: { Accept: "application/json" } })
        .then(response => {
            if (!response.ok) {
                throw new Error("HTTP " + response.status);
            }
            return response.json();
        })
        .then(summary => {
            lastSuccess = Date.now();
            render(summary);
        })
        .catch(error => {
            if (Date.now() - lastSuccess > STALE_AFTER_MILLIS) {
                const updated = document.getElementById("updated");
                updated.textContent = "no figures: " + error.message;
                updated.classList.add("stale");
            }
        })
        .finally(() => setTimeout(poll, POLL_MILLIS));
}

poll();
