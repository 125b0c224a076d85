import { diskUseTiming, MetricsDestination } from "../../components/plan/diskUse";
import { metricsNamespace } from "../../components/plan/operationsNames";

/** Where the test plans' hosts publish disk use: CloudWatch in us-west-2, as the stack `test` would. */
export const testMetrics: MetricsDestination = { region: "us-west-2", namespace: metricsNamespace("test"), timing: diskUseTiming };
