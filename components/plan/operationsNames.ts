/**
 * The deployer's policy allows alarms `ha-web-<stack>-*`, the dashboard `ha-web-<stack>` and log
 * groups `/ha-web/<stack>/*`, with `<stack>` the deployer's own `stack` tag
 * (iam/deployer-policy.json, `${aws:PrincipalTag/stack}`). So the names carry the stack name
 * unchanged: a stack name SNS topics or CloudWatch dashboards would not take (they accept letters,
 * digits, `-` and `_`; Pulumi also allows `.`) is refused in the preview rather than rewritten into
 * a name the policy then denies.
 */
const stackNamePattern = /^[A-Za-z0-9_-]+$/;

/** Why the stack's name cannot name its operations resources, or undefined when it can. */
export function stackNameProblem(stack: string): string | undefined {
    if (stackNamePattern.test(stack)) return undefined;
    return `the stack name "${stack}" has characters other than letters, digits, - and _: SNS topics and `
        + "CloudWatch dashboards refuse them, and the deployer's policy matches these names to its stack tag. "
        + `Use a stack with such a name (pulumi stack rename ${stack.replace(/[^A-Za-z0-9_-]/g, "-")}) and tag the deployer with it`;
}

/**
 * The CloudWatch namespace of the metrics the hosts publish (disk use): `ha-web/<stack>`. The hosts'
 * role may publish into it only, and the permissions boundary into `ha-web/*` only (cloudwatch:namespace).
 */
export function metricsNamespace(stack: string): string {
    return `ha-web/${stack}`;
}

/** The name prefix of the stack's SNS topic, alarms and dashboard: `ha-web-<stack>` (stackNameProblem checked). */
export function operationsPrefix(stack: string): string {
    return `ha-web-${stack}`;
}
