import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface HttpRoutingArgs {
    /** Port 80's listener; its own default action forwards. */
    httpListener: aws.lb.Listener;
    targetGroupArn: pulumi.Input<string>;
    /**
     * With HTTPS: what must hold before HTTP redirects to it (the HTTPS listener, and the health gate
     * that saw every host answer through it). Without: HTTP forwards.
     */
    redirectAfter?: pulumi.Resource[];
    tags: Record<string, string>;
}

/**
 * What port 80 does, as one listener rule that exists in every configuration, so that adding or
 * removing a domain updates it instead of creating or deleting it (a delete would come only at the
 * end of `pulumi up`, after the health gate):
 *
 * | configuration        | action             | waits for                    | so                                              |
 * |----------------------|--------------------|------------------------------|-------------------------------------------------|
 * | no HTTPS             | forward            | nothing                      | removing a domain forwards before the gate runs |
 * | HTTPS (a certificate)| redirect to 443    | HTTPS listener, health gate  | until ACM has validated and every host answered |
 * |                      |                    |                              | over HTTPS, HTTP keeps forwarding               |
 */
export class HttpRouting extends pulumi.ComponentResource {
    constructor(name: string, args: HttpRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ha-web:web:HttpRouting", name, {}, opts);
        const redirect = args.redirectAfter !== undefined;
        new aws.lb.ListenerRule(`${name}-rule`, {
            listenerArn: args.httpListener.arn,
            // A listener's rules come before its default action; one rule, so any priority.
            priority: 1,
            conditions: [{ pathPattern: { values: ["*"] } }],
            actions: redirect
                ? [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]
                : [{ type: "forward", targetGroupArn: args.targetGroupArn }],
            tags: args.tags,
        }, { parent: this, dependsOn: args.redirectAfter ?? [] });
        this.registerOutputs({});
    }
}
