import * as wg from "wasmgrad";
import { train } from "./train.mjs";

console.log(JSON.stringify(train(wg)));
