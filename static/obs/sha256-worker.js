/* Hashes a File in slices, off the page's thread: receives {file}, posts {progress} and finally {sha256}. */
"use strict";
importScripts("sha256.js");

var SLICE = 4 * 1024 * 1024;

self.onmessage = function (event) {
  var file = event.data.file, hash = new self.ObsSha256(), reader = new FileReaderSync();
  try {
    for (var offset = 0; offset < file.size; offset += SLICE) {
      hash.update(new Uint8Array(reader.readAsArrayBuffer(file.slice(offset, offset + SLICE))));
      self.postMessage({progress: Math.min(file.size, offset + SLICE) / file.size});
    }
    self.postMessage({sha256: hash.hex()});
  } catch (error) {
    self.postMessage({error: String(error && error.message || error)});
  }
};
