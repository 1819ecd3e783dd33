// node:util — work in progress: inspect and format first.
import { inspect, format, formatWithOptions, stripVTControlCharacters } from "node:internal/util/inspect";
import types from "node:internal/util/types";

export { inspect, format, formatWithOptions, stripVTControlCharacters, types };
const util = { inspect, format, formatWithOptions, stripVTControlCharacters, types };
export default util;
