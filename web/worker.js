// A web worker running quantscope's own wasm module: the page hands it the lab, the tensor
// statistics and inference (src/app/worker.rs), so the page never freezes while they run.
import init, { worker_message } from "./quantscope.js";

const waiting = [];
let ready = false;
self.onmessage = (e) => {
  if (ready) worker_message(e.data);
  else waiting.push(e.data);
};
init()
  .then(() => {
    ready = true;
    for (const data of waiting.splice(0)) worker_message(data);
  })
  .catch((e) => self.postMessage({ seq: -1, kind: "error", message: "the worker could not load: " + e }));
