/** torch.utils.data for wasmgrad (exported as `wg.data`). */
export {
  type BatchOf,
  DataLoader,
  type DataLoaderOptions,
  type DataLoaderSource,
  type LabeledDataset,
  type Labels,
} from "./dataloader.js";
export { Dataset, defaultCollate, randomSplit, Subset, TensorDataset } from "./dataset.js";
