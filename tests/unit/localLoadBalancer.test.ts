import { expect } from "chai";
import { healthCheck, loadBalancing } from "../../components/plan/healthCheck";
import { localHostPorts } from "../../components/plan/hostPorts";
import { renderHaproxyConfig } from "../../local/stack/haproxyConfig";

describe("the local load balancer (ALB stand-in)", () => {
    const config = renderHaproxyConfig([localHostPorts("host-a", 0), localHostPorts("host-b", 1)], { listen: 8080, stats: 8404 });

    it("checks the same path, interval, timeout and thresholds as the target group", () => {
        expect(config).to.include(`uri ${healthCheck.path} ver HTTP/1.1`);
        expect(config).to.include(`timeout check ${healthCheck.timeoutSeconds}s`);
        expect(config).to.include(
            `inter ${healthCheck.intervalSeconds}s fall ${healthCheck.unhealthyThreshold} rise ${healthCheck.healthyThreshold}`);
    });

    it("never retries a failed request on another host, as an ALB does not", () => {
        expect(config).to.match(/^\s+retries 0$/m);
        expect(config).not.to.include("redispatch");
        expect(config).not.to.include("observe");
    });

    it("appends X-Forwarded-For and bounds idle clients and request headers by the ALB's 60 s idle timeout", () => {
        expect(config).to.match(/^\s+option forwardfor$/m);
        expect(config).to.match(/^\s+timeout client 60s$/m);
        expect(config).to.match(/^\s+timeout http-request 60s$/m);
    });

    it("gives up connecting after the ALB's 10 s and idles out after the ALB's idle timeout", () => {
        expect(config).to.match(/^\s+timeout connect 10s$/m);
        expect(config).to.include(`timeout server ${loadBalancing.idleSeconds}s`);
        expect(config).to.include(`timeout http-keep-alive ${loadBalancing.idleSeconds}s`);
    });

    it("bounds a health check's connect by the 2 s check timeout, apart from the requests' 10 s, and routes by its verdict", () => {
        const checks = config.split("\nbackend checks")[1].split("\nfrontend")[0];
        expect(checks).to.include(`timeout connect ${healthCheck.timeoutSeconds}s`);
        expect(checks).to.include("server host-a 127.0.0.1:8081 check");
        const hosts = config.split("\nbackend hosts")[1].split("\nbackend checks")[0];
        expect(hosts).to.include("server host-a 127.0.0.1:8081 track checks/host-a");
        expect(hosts).not.to.match(/ check$/m);
    });

    it("routes as the target group does (least outstanding requests -> leastconn), or round robin when a drill asks", () => {
        expect(config).to.match(/^\s+balance leastconn$/m);
        const roundRobin = renderHaproxyConfig([localHostPorts("host-a", 0)], { listen: 8080, stats: 8404 }, "round_robin");
        expect(roundRobin).to.match(/^\s+balance roundrobin$/m);
    });

    it("listens on loopback only and targets each host's nginx port", () => {
        expect(config).to.include("bind 127.0.0.1:8080");
        expect(config).to.include("server host-a 127.0.0.1:8081 check");
        expect(config).to.include("server host-b 127.0.0.1:8082 check");
        expect(config.match(/bind (\S+)/g)).to.deep.equal(["bind 127.0.0.1:8080", "bind 127.0.0.1:8404"]);
    });
});
