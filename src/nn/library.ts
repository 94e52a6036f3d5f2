/**
 * Runs the forward of every wasmgrad layer in a graph scope (autograd/owned.ts): the
 * intermediates a layer makes and does not return are freed with the autograd graph of its
 * result. Forwards of user-defined modules are left alone: their intermediates may be kept in
 * fields or closures that the library cannot see.
 */
import { graphScopedForward } from "../autograd/owned.js";
import * as activation from "./activation.js";
import * as attention from "./attention.js";
import * as containers from "./containers.js";
import * as conv from "./conv.js";
import * as conv2 from "./conv2.js";
import * as embedding from "./embedding.js";
import * as layers from "./layers.js";
import * as loss from "./loss.js";
import { Module } from "./module.js";
import * as normalization from "./normalization.js";
import * as resample from "./resample.js";
import * as rnn from "./rnn.js";
import * as transformer from "./transformer.js";
import * as transformerLayer from "./transformer-layer.js";

for (const ns of [
  activation,
  attention,
  containers,
  conv,
  conv2,
  embedding,
  layers,
  loss,
  normalization,
  resample,
  rnn,
  transformer,
  transformerLayer,
]) {
  for (const value of Object.values(ns)) {
    if (typeof value === "function" && value.prototype instanceof Module) graphScopedForward(value);
  }
}
