/**
 * torch.nn.functional for wasmgrad (also exported as `wg.F`). Each function runs in a graph
 * scope (autograd/owned.ts): the intermediates a composite op makes and does not return are
 * freed with the autograd graph of its result, so that loops without tidy stay bounded.
 */
import { graphScoped } from "../autograd/owned.js";
import * as activationOps from "../ops/activation.js";
import * as attentionOps from "../ops/attention.js";
import * as convOps from "../ops/conv.js";
import * as convTransposeOps from "../ops/conv-transpose.js";
import * as dropoutOps from "../ops/dropout.js";
import * as embeddingOps from "../ops/embedding.js";
import * as geluOps from "../ops/gelu.js";
import * as layernormOps from "../ops/layernorm.js";
import * as linearOps from "../ops/linear.js";
import * as lossOps from "../ops/loss.js";
import * as loss2Ops from "../ops/loss2.js";
import * as normOps from "../ops/norm.js";
import * as poolOps from "../ops/pool.js";
import * as pool1dOps from "../ops/pool1d.js";
import * as resampleOps from "../ops/resample.js";
import * as similarityOps from "../ops/similarity.js";
import * as softmaxOps from "../ops/softmax.js";
import * as unaryOps from "../ops/unary.js";

export type {
  EluOptions,
  HardtanhOptions,
  InplaceOptions,
  LeakyReluOptions,
  SoftplusOptions,
} from "../ops/activation.js";
export type { SDPAOptions } from "../ops/attention.js";
export type { Conv2dOptions, Pair } from "../ops/conv.js";
export type {
  Conv1dOptions,
  ConvTranspose1dOptions,
  ConvTranspose2dOptions,
} from "../ops/conv-transpose.js";
export type { EmbeddingOptions, Indices } from "../ops/embedding.js";
export type { GeluApproximate, GeluOptions } from "../ops/gelu.js";
export type {
  BCELossOptions,
  BCEWithLogitsOptions,
  ClassTargets,
  CrossEntropyOptions,
  LossOptions,
  NLLLossOptions,
  Reduction,
} from "../ops/loss.js";
export type {
  HuberOptions,
  KLDivOptions,
  MarginOptions,
  ReductionOptions,
  SmoothL1Options,
  TripletMarginOptions,
} from "../ops/loss2.js";
export type { BatchNormOptions } from "../ops/norm.js";
export type { AvgPool2dOptions, MaxPool2dOptions } from "../ops/pool.js";
export type { AvgPool1dOptions, ChannelDropoutOptions, MaxPool1dOptions } from "../ops/pool1d.js";
export type { InterpolateMode, InterpolateOptions, PadMode } from "../ops/resample.js";
export type {
  CosineSimilarityOptions,
  NormalizeOptions,
  OneHotIndices,
} from "../ops/similarity.js";

export const elu = graphScoped(activationOps.elu);
export const hardtanh = graphScoped(activationOps.hardtanh);
export const leakyRelu = graphScoped(activationOps.leakyRelu);
export const mish = graphScoped(activationOps.mish);
export const relu6 = graphScoped(activationOps.relu6);
export const silu = graphScoped(activationOps.silu);
export const softplus = graphScoped(activationOps.softplus);
export const scaledDotProductAttention = graphScoped(attentionOps.scaledDotProductAttention);
export const conv2d = graphScoped(convOps.conv2d);
export const conv1d = graphScoped(convTransposeOps.conv1d);
export const convTranspose1d = graphScoped(convTransposeOps.convTranspose1d);
export const convTranspose2d = graphScoped(convTransposeOps.convTranspose2d);
export const dropout = graphScoped(dropoutOps.dropout);
export const embedding = graphScoped(embeddingOps.embedding);
export const gelu = graphScoped(geluOps.gelu);
export const groupNorm = graphScoped(layernormOps.groupNorm);
export const layerNorm = graphScoped(layernormOps.layerNorm);
export const rmsNorm = graphScoped(layernormOps.rmsNorm);
export const linear = graphScoped(linearOps.linear);
export const binaryCrossEntropy = graphScoped(lossOps.binaryCrossEntropy);
export const binaryCrossEntropyWithLogits = graphScoped(lossOps.binaryCrossEntropyWithLogits);
export const crossEntropy = graphScoped(lossOps.crossEntropy);
export const mseLoss = graphScoped(lossOps.mseLoss);
export const nllLoss = graphScoped(lossOps.nllLoss);
export const cosineEmbeddingLoss = graphScoped(loss2Ops.cosineEmbeddingLoss);
export const huberLoss = graphScoped(loss2Ops.huberLoss);
export const klDiv = graphScoped(loss2Ops.klDiv);
export const l1Loss = graphScoped(loss2Ops.l1Loss);
export const marginRankingLoss = graphScoped(loss2Ops.marginRankingLoss);
export const smoothL1Loss = graphScoped(loss2Ops.smoothL1Loss);
export const tripletMarginLoss = graphScoped(loss2Ops.tripletMarginLoss);
export const batchNorm = graphScoped(normOps.batchNorm);
export const avgPool2d = graphScoped(poolOps.avgPool2d);
export const maxPool2d = graphScoped(poolOps.maxPool2d);
export const avgPool1d = graphScoped(pool1dOps.avgPool1d);
export const dropout1d = graphScoped(pool1dOps.dropout1d);
export const dropout2d = graphScoped(pool1dOps.dropout2d);
export const maxPool1d = graphScoped(pool1dOps.maxPool1d);
export const adaptiveAvgPool1d = graphScoped(resampleOps.adaptiveAvgPool1d);
export const adaptiveAvgPool2d = graphScoped(resampleOps.adaptiveAvgPool2d);
export const adaptiveMaxPool2d = graphScoped(resampleOps.adaptiveMaxPool2d);
export const interpolate = graphScoped(resampleOps.interpolate);
export const pad = graphScoped(resampleOps.pad);
export const pixelShuffle = graphScoped(resampleOps.pixelShuffle);
export const cosineSimilarity = graphScoped(similarityOps.cosineSimilarity);
export const normalize = graphScoped(similarityOps.normalize);
export const oneHot = graphScoped(similarityOps.oneHot);
export const logSoftmax = graphScoped(softmaxOps.logSoftmax);
export const softmax = graphScoped(softmaxOps.softmax);
export const relu = graphScoped(unaryOps.relu);
export const sigmoid = graphScoped(unaryOps.sigmoid);
export const tanh = graphScoped(unaryOps.tanh);
