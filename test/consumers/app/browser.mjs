// The bundlers' entry: trains in the page and leaves the result on window for the test.
import * as wg from "wasmgrad";
import { train } from "./train.mjs";

try {
  window.result = train(wg);
} catch (e) {
  window.result = { error: String(e?.stack ? e.stack : e) };
}
document.title = "done";
