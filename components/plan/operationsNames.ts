/**
 * The name prefix of the stack's SNS topic, alarms and dashboard: `ha-web-<stack>`. SNS topic and
 * dashboard names take only letters, digits, `-` and `_`; a stack name may also hold `.`, so
 * anything else becomes `-`.
 */
export function operationsPrefix(stack: string): string {
    return `ha-web-${stack.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}
