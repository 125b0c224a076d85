/**
 * How apply-config puts a changed nginx configuration into service without taking the host out of
 * the load balancer (files/lib/nginx-reload.sh). A reload makes nginx's old workers close their idle
 * keep-alive client connections at once (nginx 1.22), and a load balancer that sends a request on
 * one as it closes answers 502. So for `closeSeconds` before the reload every response says
 * `Connection: close` and nginx closes its connection after it (the site's close flag): the load
 * balancer stops reusing the host's connections and the reload finds none idle.
 */
export const nginxReload = {
    /** The closing window: every connection the load balancer keeps busy gets a response in it. */
    closeSeconds: 2,
    /** How long the reload may take until the old workers are shutting down (they got the new config). */
    shutdownWaitSeconds: 10,
};
