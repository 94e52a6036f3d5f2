import * as wg from "wasmgrad/url";
import { train } from "./train.mjs";

console.log(JSON.stringify(train(wg)));
