/* The bucket page's uploader: a file is sent as a multipart upload through the REST API, several parts at a
   time, each retried with backoff after a network error. The upload's id is kept in localStorage, so after a
   network drop or a page reload choosing the same file again sends only the parts the server lacks. The
   file's SHA-256 is computed meanwhile in a worker and checked by the server when the upload completes. */
(function () {
  "use strict";

  var root = document.getElementById("uploader");
  if (!root || !root.querySelector(".upload-file")) { return; }

  var PARALLEL = 4;
  var MAX_ATTEMPTS = 8;
  var STORE = "obs-uploads";
  var strings = JSON.parse(document.getElementById("obs-uploader-strings").textContent);
  var config = {
    uploadsUrl: root.dataset.uploadsUrl,
    bucket: root.dataset.bucket,
    csrfToken: root.dataset.csrfToken,
    partSize: parseInt(root.dataset.partSize, 10) || null,
    workerUrl: root.dataset.workerUrl
  };
  function find(selector) { return root.querySelector(selector); }
  var ui = {
    file: find(".upload-file"), key: find(".upload-key"), start: find(".upload-start"),
    cancel: find(".upload-cancel"), status: find(".upload-status"), progress: find(".upload-progress"),
    percent: find(".upload-percent"), speed: find(".upload-speed"), eta: find(".upload-eta"),
    hash: find(".upload-hash"), message: find(".upload-message"), unfinished: find(".unfinished")
  };
  var current = null;

  // Text only ever goes in through textContent: names and keys are the user's own strings.
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return String(values[name]); });
  }
  function say(text, kind) {
    ui.message.textContent = text;
    ui.message.className = "upload-message" + (kind ? " " + kind : "");
  }
  function humanSize(bytes) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], value = bytes, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return (unit ? value.toFixed(1) : String(value)) + " " + units[unit];
  }
  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + two(m) + ":" + two(s) : m + ":" + two(s);
  }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
  function onlineAgain() {
    if (navigator.onLine) { return Promise.resolve(); }
    return new Promise(function (resolve) { window.addEventListener("online", resolve, {once: true}); });
  }

  // Unfinished uploads, remembered per browser: {id, bucket, key, name, size, lastModified}.
  function records() {
    try { return JSON.parse(localStorage.getItem(STORE)) || []; } catch (error) { return []; }
  }
  function saveRecords(list) {
    try { localStorage.setItem(STORE, JSON.stringify(list)); } catch (error) { /* private mode: no resume */ }
  }
  function remember(record) {
    saveRecords(records().filter(function (r) { return r.id !== record.id; }).concat([record]));
  }
  function forget(id) { saveRecords(records().filter(function (r) { return r.id !== id; })); }
  function sameFile(record, file) {
    return record.bucket === config.bucket && record.name === file.name && record.size === file.size &&
      record.lastModified === file.lastModified;
  }

  function uploadUrl(id) { return config.uploadsUrl + "/" + encodeURIComponent(id); }

  function failure(status, body) {
    var detail = body && (body.error || {});
    var error = new Error((detail && detail.message) || (body && body.error_msg) || ("HTTP " + status));
    error.status = status;
    error.code = detail && detail.code;
    return error;
  }
  function api(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": config.csrfToken},
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) { throw failure(response.status, data); }
        return data;
      });
    });
  }

  function showUnfinished() {
    ui.unfinished.replaceChildren();
    records().filter(function (r) { return r.bucket === config.bucket; }).forEach(function (record) {
      var item = document.createElement("li"), discard = document.createElement("button");
      item.dataset.testid = "unfinished-upload";
      item.textContent = format(strings.unfinished, {name: record.name, size: humanSize(record.size), key: record.key});
      discard.type = "button";
      discard.className = "link";
      discard.textContent = strings.discard;
      discard.addEventListener("click", function () {
        api("DELETE", uploadUrl(record.id)).catch(function () { /* gone already */ });
        forget(record.id);
        showUnfinished();
      });
      item.appendChild(discard);
      ui.unfinished.appendChild(item);
    });
  }

  function hashFile(file, job) {
    if (window.Worker) {
      return new Promise(function (resolve, reject) {
        var worker = new Worker(config.workerUrl);
        job.worker = worker;
        job.stopHashing = function () { worker.terminate(); reject(failure(0, null)); };
        worker.onmessage = function (event) {
          var data = event.data;
          if (data.progress !== undefined) {
            ui.hash.textContent = format(strings.hashing, {percent: (data.progress * 100).toFixed(0) + "%"});
          } else if (data.sha256) {
            ui.hash.textContent = strings.hashed + " SHA-256: " + data.sha256;
            worker.terminate();
            resolve(data.sha256);
          } else {
            worker.terminate();
            reject(new Error(data.error));
          }
        };
        worker.onerror = function (event) { reject(new Error(event.message)); };
        worker.postMessage({file: file});
      });
    }
    var hash = new window.ObsSha256(), slice = 4 * 1024 * 1024;
    function next(offset) {
      if (offset >= file.size) { return Promise.resolve(hash.hex()); }
      return file.slice(offset, offset + slice).arrayBuffer().then(function (buffer) {
        hash.update(new Uint8Array(buffer));
        return next(offset + slice);
      });
    }
    return next(0);
  }

  function openUpload(job) {
    var file = job.file, record = records().filter(function (r) { return sameFile(r, file) && r.key === job.key; })[0];
    var resumed = record ? api("GET", uploadUrl(record.id)).then(function (upload) {
      if (upload.size !== file.size || ["aborted"].indexOf(upload.status) >= 0) { return null; }
      // Still uploading: send what is missing. Completing or completed (the answer was lost): complete again.
      say(format(strings.resuming, {stored: upload.parts.length, total: upload.part_count}));
      return upload;
    }, function (error) {
      if (error.status !== 404) { throw error; }
      return null;
    }) : Promise.resolve(null);
    return resumed.then(function (upload) {
      if (upload) { return upload; }
      if (record) { forget(record.id); say(strings.gone); } else { say(strings.starting); }
      var body = {bucket: config.bucket, key: job.key, size: file.size,
                  content_type: file.type || "application/octet-stream"};
      if (config.partSize) { body.part_size = config.partSize; }
      return api("POST", config.uploadsUrl, body).then(function (created) {
        remember({id: created.id, bucket: config.bucket, key: job.key, name: file.name, size: file.size,
                  lastModified: file.lastModified});
        created.parts = [];
        return created;
      });
    });
  }

  function progress(job) {
    var inFlight = 0, now = Date.now();
    Object.keys(job.inFlight).forEach(function (n) { inFlight += job.inFlight[n]; });
    var sent = Math.min(job.file.size, job.stored + inFlight), total = job.file.size;
    var ratio = total ? sent / total : 1;
    ui.progress.value = ratio * 100;
    ui.percent.textContent = format(strings.progress, {
      percent: (ratio * 100).toFixed(1) + "%", done: humanSize(sent), total: humanSize(total)});
    // Speed over the last five seconds of this session; bytes resumed from before do not count.
    job.samples.push([now, sent]);
    while (job.samples.length > 2 && now - job.samples[0][0] > 5000) { job.samples.shift(); }
    var first = job.samples[0], seconds = (now - first[0]) / 1000;
    if (seconds >= 0.5) {
      var speed = Math.max(0, (sent - first[1]) / seconds);
      ui.speed.textContent = format(strings.speed, {speed: (speed / 1e6).toFixed(1)});
      ui.eta.textContent = speed > 0 ? format(strings.eta, {time: duration(Math.ceil((total - sent) / speed))}) : "";
    }
  }

  function sendPart(job, number) {
    var start = (number - 1) * job.partSize, end = Math.min(job.file.size, start + job.partSize);
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      job.requests.add(xhr);
      function settle() { job.requests.delete(xhr); delete job.inFlight[number]; }
      xhr.open("PUT", uploadUrl(job.id) + "/parts/" + number);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("X-CSRFToken", config.csrfToken);
      xhr.upload.onprogress = function (event) { job.inFlight[number] = event.loaded; progress(job); };
      xhr.onload = function () {
        settle();
        if (xhr.status >= 200 && xhr.status < 300) {
          job.stored += end - start;
          progress(job);
          resolve();
          return;
        }
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (error) { /* not JSON: a proxy's page */ }
        reject(failure(xhr.status, body));
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () {
        settle();
        progress(job);
        reject(failure(0, null));
      };
      xhr.send(job.file.slice(start, end));
    });
  }

  function retryable(error) {
    return error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;
  }

  function sendWithRetries(job, number, attempt) {
    return sendPart(job, number).catch(function (error) {
      if (job.cancelled || !retryable(error) || attempt >= MAX_ATTEMPTS) { throw error; }
      var delay = Math.min(30000, 500 * Math.pow(2, attempt - 1)) * (0.75 + Math.random() * 0.5);
      say(format(strings.retrying, {part: number, seconds: Math.max(1, Math.round(delay / 1000))}));
      return wait(delay).then(function () {
        if (!navigator.onLine) { say(strings.offline); }
        return onlineAgain();
      }).then(function () {
        if (job.cancelled) { throw failure(0, null); }
        return sendWithRetries(job, number, attempt + 1);
      });
    });
  }

  // Assembling a large file takes a while: a lost answer or a server still assembling (OBS.0012) is asked
  // again; the server answers a completed upload with its object.
  function complete(job, sha256, attempt) {
    return api("POST", uploadUrl(job.id) + "/complete", {sha256: sha256}).catch(function (error) {
      if (job.cancelled || attempt >= 3 * MAX_ATTEMPTS) { throw error; }
      var busy = error.code === "OBS.0012" ? api("GET", uploadUrl(job.id)).then(function (upload) {
        return upload.status === "completing";
      }) : Promise.resolve(retryable(error));
      return busy.then(function (again) {
        if (!again) { throw error; }
        return wait(Math.min(10000, 1000 * attempt)).then(onlineAgain).then(function () {
          return complete(job, sha256, attempt + 1);
        });
      });
    });
  }

  function sendParts(job, queue) {
    function lane() {
      if (job.cancelled || job.failed || !queue.length) { return Promise.resolve(); }
      return sendWithRetries(job, queue.shift(), 1).then(lane, function (error) {
        job.failed = true;
        throw error;
      });
    }
    var lanes = [];
    for (var i = 0; i < PARALLEL; i++) { lanes.push(lane()); }
    return Promise.all(lanes);
  }

  function setBusy(busy) {
    ui.start.disabled = busy;
    ui.file.disabled = busy;
    ui.key.disabled = busy;
    ui.cancel.hidden = !busy;
  }

  function refreshObjects() {
    return fetch(window.location.href, {credentials: "same-origin"}).then(function (response) {
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("object-panel");
      var panel = document.getElementById("object-panel");
      if (fresh && panel) { panel.replaceChildren.apply(panel, Array.from(fresh.childNodes)); }
    }).catch(function () { /* the list refreshes on the next visit */ });
  }

  function run(file, key) {
    var job = {file: file, key: key, stored: 0, inFlight: {}, samples: [], requests: new Set(),
               cancelled: false, failed: false};
    current = job;
    setBusy(true);
    ui.status.hidden = false;
    ui.progress.value = 0;
    ui.speed.textContent = ui.eta.textContent = ui.hash.textContent = "";
    var hashed = hashFile(file, job);
    hashed.catch(function () { /* reported when awaited */ });
    return openUpload(job).then(function (upload) {
      job.id = upload.id;
      job.partSize = upload.part_size;
      var stored = {};
      upload.parts.forEach(function (part) { stored[part.number] = true; job.stored += part.size; });
      var queue = [];
      if (upload.status === "uploading") {
        for (var n = 1; n <= upload.part_count; n++) { if (!stored[n]) { queue.push(n); } }
      } else {
        job.stored = job.file.size;
      }
      progress(job);
      return sendParts(job, queue);
    }).then(function () {
      return hashed;
    }).then(function (sha256) {
      if (job.cancelled) { throw failure(0, null); }
      say(strings.completing);
      return complete(job, sha256, 1);
    }).then(function (stored) {
      forget(job.id);
      ui.progress.value = 100;
      ui.eta.textContent = "";
      say(format(strings.done, {url: stored.url}), "ok");
      ui.file.value = "";
      ui.key.value = "";
      return refreshObjects();
    }).catch(function (error) {
      if (job.cancelled) {
        say(strings.cancelled);
      } else if (error.code === "OBS.0005") {
        forget(job.id);
        say(strings.mismatch, "error");
      } else {
        say(format(strings.failed, {reason: error.message}), "error");
      }
    }).then(function () {
      if (job.worker) { job.worker.terminate(); }
      current = null;
      setBusy(false);
      showUnfinished();
    });
  }

  ui.file.addEventListener("change", function () {
    var file = ui.file.files[0];
    if (!file || ui.key.value) { return; }
    var record = records().filter(function (r) { return sameFile(r, file); })[0];
    ui.key.value = record ? record.key : "";
  });
  ui.start.addEventListener("click", function () {
    var file = ui.file.files[0];
    if (!file) { say(strings.choose, "error"); return; }
    run(file, ui.key.value.trim() || file.name);
  });
  ui.cancel.addEventListener("click", function () {
    var job = current;
    if (!job || !window.confirm(strings.confirm)) { return; }
    job.cancelled = true;
    job.requests.forEach(function (xhr) { xhr.abort(); });
    if (job.stopHashing) { job.stopHashing(); }
    if (job.id) {
      api("DELETE", uploadUrl(job.id)).catch(function () { /* already gone */ });
      forget(job.id);
    }
  });
  showUnfinished();
})();
