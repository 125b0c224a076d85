import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface HttpsRedirectArgs {
    /** The HTTP listener, which forwards until this rule exists. */
    httpListener: aws.lb.Listener;
    /** What must hold first: the HTTPS listener, and the health gate that saw every host answer through it. */
    after: pulumi.Resource[];
    tags: Record<string, string>;
}

/**
 * HTTP's redirect to HTTPS, created only once HTTPS serves: the HTTPS listener waits for ACM's DNS
 * validation (minutes, or never when the record cannot be written), and until this rule exists the
 * HTTP listener keeps forwarding. Removing the domain deletes this rule before the HTTPS listener
 * (dependents go first), so HTTP never redirects to a port that no longer answers.
 */
export class HttpsRedirect extends pulumi.ComponentResource {
    constructor(name: string, args: HttpsRedirectArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:web:HttpsRedirect", name, {}, opts);
        new aws.lb.ListenerRule(`${name}-rule`, {
            listenerArn: args.httpListener.arn,
            // A listener's rules come before its default action; one rule, so any priority.
            priority: 1,
            conditions: [{ pathPattern: { values: ["*"] } }],
            actions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
            tags: args.tags,
        }, { parent: this, dependsOn: args.after });
        this.registerOutputs({});
    }
}
