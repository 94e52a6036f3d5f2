/** torch.utils.data for wasmgrad (exported as `wg.data`). */
export {
  type BatchOf,
  DataLoader,
  type DataLoaderOptions,
  type Dataset,
  type LabeledDataset,
  type Labels,
} from "./dataloader.js";
