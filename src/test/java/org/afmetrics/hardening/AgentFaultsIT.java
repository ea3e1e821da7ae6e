package org.afmetrics.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.FreePort;
import org.afmetrics.testing.HostDriver;
import org.afmetrics.testing.Http;
import org.afmetrics.testing.apps.ScriptedHostMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad settings, bad environment, unusable files, ports and addresses: each host runs with the
 * agent exactly as without it (same output, same exit code, prompt exit) and the agent says what
 * happened in one line. The cases run side by side, each in its own JVM.
 */
class AgentFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static final class Case {
        final String name;
        final String args;
        final Map<String, String> env = new LinkedHashMap<>();
        final Pattern line;
        final boolean exports;
        ChildJvm.Running jvm;

        Case(String name, String args, String line, boolean exports) {
            this.name = name;
            this.args = args;
            this.line = Pattern.compile(line);
            this.exports = exports;
        }

        Case env(String k, String v) {
            env.put(k, v);
            return this;
        }
    }

    @Test
    void everyFaultLeavesTheHostAsItWasAndIsToldInOneLine() throws Exception {
        int busy = FreePort.findRun(3);
        List<ServerSocket> held = new ArrayList<>();
        for (int p = busy; p < busy + 3; p++) {
            held.add(new ServerSocket(p, 1, InetAddress.getByName("127.0.0.1")));
        }
        Path keystoreDir = Files.createDirectories(dir.resolve("keystore-is-a-dir"));
        List<Case> cases = List.of(
                new Case("unknown key", "port=0,colour=blue", "warning: unknown key 'colour' ignored", true),
                new Case("bad port", "port=0,port=eighty", "warning: port: 'eighty' is not a port number", true),
                new Case("bad range", "port=9000-8000", "warning: port: '9000-8000' is not a range", true),
                new Case("bad label syntax", "port=0,labels=team", "warning: labels: 'team' is not k=v", true),
                new Case("bad label name", "port=0,labels=1team=x", "warning: labels: '1team' is not a valid label name",
                        true),
                new Case("empty value", "port=0,user=", "warning: key 'user' has an empty value; ignored", true),
                new Case("very long value", "port=0,json-max-series=" + "9".repeat(20000),
                        "warning: json-max-series: '9{50,}\\.\\.\\.' is not a positive whole number", true),
                new Case("bad env value", "port=0", "warning: push: 'maybe' is not true or false", true)
                        .env("AF_METRICS_PUSH", "maybe"),
                new Case("bad env port", null, "warning: port: 99999 is outside 0-65535", true)
                        .env("AF_METRICS_PORT", "99999"),
                new Case("missing password file", "port=0,auth-user=prom,auth-password-file=" + dir.resolve("nope"),
                        "not exporting: IOException \\(auth-password-file \\S+ cannot be read \\(NoSuchFileException\\)\\)",
                        false),
                new Case("keystore is a directory", "port=0,tls-keystore=" + keystoreDir,
                        "not exporting: IOException \\(tls-keystore \\S+ cannot be opened as PKCS#12", false),
                new Case("every port of the range busy", "port=" + busy + "-" + (busy + 2),
                        "not exporting: BindException \\(no free port in " + busy + "-" + (busy + 2) + " on 127.0.0.1",
                        false),
                new Case("bind address not on this host", "host=192.0.2.1,port=0",
                        "not exporting: BindException \\(cannot bind 192.0.2.1", false),
                new Case("bind host name that does not resolve", "host=no-such-host.invalid,port=0",
                        "not exporting: UnknownHostException", false));
        try {
            ChildJvm.Running baseline = ChildJvm.main(ScriptedHostMain.class).start();
            for (Case c : cases) {
                ChildJvm child = ChildJvm.main(ScriptedHostMain.class).agent(c.args).workDir(dir);
                c.env.forEach(child::env);
                c.jvm = child.start();
            }
            HostDriver.send(baseline, "exit 7");
            assertEquals(7, baseline.awaitExit(WAIT));
            for (Case c : cases) {
                c.jvm.awaitStderr(c.line, WAIT);
                if (c.exports) {
                    String url = c.jvm.awaitExporterUrl(WAIT);
                    assertEquals(200, Http.get(url).statusCode(), c.name);
                }
                HostDriver.send(c.jvm, "exit 7");
            }
            for (Case c : cases) {
                assertEquals(7, c.jvm.awaitExit(WAIT), c.name + ": exit code");
                assertEquals(baseline.stdout(), c.jvm.stdout(), c.name + ": host output");
                assertEquals(HostDriver.hostStderr(baseline), HostDriver.hostStderr(c.jvm), c.name + ": host stderr");
                List<String> said = HostDriver.agentComplaints(c.jvm);
                assertEquals(1, said.size(), c.name + ": one line, got " + said);
                assertTrue(c.line.matcher(said.get(0)).find(), c.name + ": " + said.get(0));
                assertTrue(said.get(0).length() < 500, c.name + ": a short line");
                assertEquals(c.exports ? 1 : 0, HostDriver.agentLines(c.jvm).size() - said.size(),
                        c.name + ": exporting line");
            }
        } finally {
            for (Case c : cases) {
                if (c.jvm != null) {
                    c.jvm.close();
                }
            }
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    @Test
    void ipv6LoopbackIsServed() throws Exception {
        try (ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class).agent("host=::1,port=0").workDir(dir)
                .start()) {
            String url = jvm.awaitExporterUrl(WAIT);
            assertTrue(url.startsWith("http://[0:0:0:0:0:0:0:1]:") || url.startsWith("http://[::1]:"), url);
            assertTrue(Http.scrape(url).named("jvm_threads_current").size() == 1);
            HostDriver.send(jvm, "exit 0");
            assertEquals(0, jvm.awaitExit(WAIT));
            assertEquals(List.of(), HostDriver.agentComplaints(jvm));
        }
    }
}
