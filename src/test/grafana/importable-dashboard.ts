// The generated dashboard's type, built from the Grafana foundation SDK's dashboard types.
// The SDK types objects its builders make; a dashboard file is their JSON form: enums as their
// values, no methods. Where the SDK has no field for what Grafana reads from a file, it is added
// here, narrowly: the import dialog's __inputs/__requires and a Prometheus annotation's options.
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import type * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import type * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";

/** The JSON form of an SDK type: string enums as their values, methods dropped. */
type JsonOf<T> =
  T extends string ? `${T}` :
  T extends number | boolean | null | undefined ? T :
  T extends (infer U)[] ? JsonOf<U>[] :
  T extends (...args: never[]) => unknown ? never :
  T extends object ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: JsonOf<T[K]> } :
  T;

type PrometheusQuery = JsonOf<prometheus.dataquery>;

type Panel = JsonOf<Omit<dashboard.Panel, "targets" | "options" | "fieldConfig">> & { targets?: PrometheusQuery[] };

type TimeSeriesPanel = Panel & {
  type: "timeseries";
  options: JsonOf<timeseries.Options>;
  fieldConfig: JsonOf<Omit<dashboard.FieldConfigSource, "defaults">> & {
    defaults: JsonOf<Omit<dashboard.FieldConfig, "custom">> & { custom?: JsonOf<timeseries.FieldConfig> };
  };
};

type RowPanel = JsonOf<dashboard.RowPanel>;

/** Grafana's Prometheus annotation reads these beside the SDK's fields. */
type Annotation = JsonOf<dashboard.AnnotationQuery> & {
  step?: string;
  titleFormat?: string;
  textFormat?: string;
  tagKeys?: string;
  useValueForTime?: boolean;
};

/** What the import dialog asks for, as in a dashboard Grafana exported for sharing. */
interface Input {
  name: string;
  label: string;
  description?: string;
  type: "datasource";
  pluginId: string;
  pluginName: string;
}

interface Requirement {
  type: "grafana" | "datasource" | "panel";
  id: string;
  name: string;
  version: string;
}

export type ImportableDashboard = JsonOf<Omit<dashboard.Dashboard, "panels" | "annotations">> & {
  __inputs: [Input, ...Input[]];
  __requires: Requirement[];
  // a new kind of panel (stat, heatmap …) gets its type here, with its options from the SDK
  panels: (TimeSeriesPanel | RowPanel)[];
  annotations: { list: Annotation[] };
};
