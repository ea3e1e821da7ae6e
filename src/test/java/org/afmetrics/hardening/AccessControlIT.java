package org.afmetrics.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.afmetrics.testing.AgentCli;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.HostDriver;
import org.afmetrics.testing.Promtool;
import org.afmetrics.testing.apps.ScriptedHostMain;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Basic auth and TLS on {@code /metrics}, checked with curl: right, wrong and missing
 * credentials, a TLS scrape that promtool finds clean, and no secret on any command line or in
 * any agent line.
 */
class AccessControlIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PASSWORD = "pw-Ünïcode-42";
    private static final String KEYSTORE_PASSWORD = "ks-pass-77";

    @TempDir
    Path dir;
    private Path keystore;
    private Path cert;
    private Path passwordFile;
    private Path keystorePasswordFile;

    @BeforeEach
    void credentials() throws Exception {
        keystore = dir.resolve("server.p12");
        cert = dir.resolve("server.pem");
        run(List.of(keytool(), "-genkeypair", "-alias", "af-metrics", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", KEYSTORE_PASSWORD), null);
        run(List.of(keytool(), "-exportcert", "-rfc", "-alias", "af-metrics", "-keystore", keystore.toString(),
                "-storepass", KEYSTORE_PASSWORD, "-file", cert.toString()), null);
        passwordFile = dir.resolve("metrics-password");
        Files.writeString(passwordFile, PASSWORD + "\n");
        keystorePasswordFile = dir.resolve("keystore-password");
        Files.writeString(keystorePasswordFile, KEYSTORE_PASSWORD + "\n");
    }

    @Test
    void basicAuthOverTls() throws Exception {
        String args = "port=0,auth-user=prometheus,auth-password-file=" + passwordFile + ",tls-keystore=" + keystore
                + ",tls-password-file=" + keystorePasswordFile;
        try (ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class).agent(args).workDir(dir).start()) {
            String url = jvm.awaitExporterUrl(WAIT);
            assertTrue(url.startsWith("https://127.0.0.1:"), url);

            Curl right = curl(url, "prometheus", PASSWORD);
            assertEquals(200, right.status, right.toString());
            assertTrue(right.body.contains("jvm_threads_current{"), "metrics served");
            Promtool.Result lint = Promtool.checkMetrics(right.body);
            assertEquals(0, lint.exitCode, lint.toString());

            for (Curl refused : List.of(curl(url, "prometheus", PASSWORD + "x"), curl(url, "grafana", PASSWORD),
                    curl(url, null, null), curl(url.replace("/metrics", "/"), null, null),
                    curl(url.replace("/metrics", "/-/healthy"), null, null))) {
                assertEquals(401, refused.status, refused.toString());
                assertFalse(refused.body.contains("jvm_"), "no metric without the right credentials");
                assertTrue(refused.headers.toLowerCase(java.util.Locale.ROOT)
                        .contains("www-authenticate: basic realm=\"af-metrics\""), refused.headers);
            }
            Curl plain = curl(url.replace("https://", "http://"), "prometheus", PASSWORD);
            assertFalse(plain.status == 200, "no plain-HTTP scrape of a TLS exporter: " + plain);

            String cmdline = Files.readString(Path.of("/proc/" + jvm.pid() + "/cmdline"), StandardCharsets.UTF_8);
            assertFalse(cmdline.contains(PASSWORD) || cmdline.contains(KEYSTORE_PASSWORD), "no secret on the command line");
            HostDriver.send(jvm, "exit 0");
            assertEquals(0, jvm.awaitExit(WAIT));
            assertEquals(List.of(), HostDriver.agentComplaints(jvm));
            assertFalse(jvm.stderr().contains(PASSWORD) || jvm.stderr().contains(KEYSTORE_PASSWORD));
        }
    }

    @Test
    void saltedHashMadeByTheCliGuardsThePlainServer() throws Exception {
        String hash = AgentCli.jar("hash-password").stdin(PASSWORD + "\n").ok().trim();
        assertTrue(hash.startsWith("pbkdf2-sha256:") && !hash.contains(PASSWORD), hash);

        try (ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class)
                .agent("port=0,auth-user=prometheus,auth-password-hash=" + hash).workDir(dir).start()) {
            String url = jvm.awaitExporterUrl(WAIT);
            assertTrue(url.startsWith("http://"), url);
            assertEquals(200, curl(url, "prometheus", PASSWORD).status);
            assertEquals(200, curl(url, "prometheus", PASSWORD).status, "the remembered credentials");
            Curl wrong = curl(url, "prometheus", "guess");
            assertEquals(401, wrong.status);
            assertFalse(wrong.body.contains("jvm_"));
            assertEquals(401, curl(url, null, null).status);
            HostDriver.send(jvm, "exit 0");
            assertEquals(0, jvm.awaitExit(WAIT));
        }
    }

    @Test
    void aWrongKeystorePasswordMeansNoServerAndOneLine() throws Exception {
        Path wrong = dir.resolve("wrong");
        Files.writeString(wrong, "not-the-password\n");
        try (ChildJvm.Running jvm = ChildJvm.main(ScriptedHostMain.class)
                .agent("port=0,tls-keystore=" + keystore + ",tls-password-file=" + wrong).workDir(dir).start()) {
            jvm.awaitStderr(java.util.regex.Pattern.compile("not exporting: .*tls-keystore"), WAIT);
            HostDriver.send(jvm, "exit 5");
            assertEquals(5, jvm.awaitExit(WAIT));
            assertEquals(1, HostDriver.agentLines(jvm).size(), jvm.stderr());
            assertFalse(jvm.stderr().contains("not-the-password"));
        }
    }

    /** One curl run; the credentials go through a netrc file, not the command line. */
    private Curl curl(String url, String user, String password) throws Exception {
        Path body = Files.createTempFile(dir, "body", ".txt");
        Path headers = Files.createTempFile(dir, "headers", ".txt");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert", cert.toString(),
                "-o", body.toString(), "-D", headers.toString(), "-w", "%{http_code}"));
        if (user != null) {
            Path netrc = Files.createTempFile(dir, "netrc", "");
            Files.writeString(netrc, "machine 127.0.0.1 login " + user + " password " + password + "\n");
            cmd.add("--netrc-file");
            cmd.add(netrc.toString());
        }
        cmd.add(url);
        String status = run(cmd, null);
        return new Curl(status.isEmpty() ? 0 : Integer.parseInt(status.trim()), Files.readString(body),
                Files.readString(headers));
    }

    private static final class Curl {
        final int status;
        final String body;
        final String headers;

        Curl(int status, String body, String headers) {
            this.status = status;
            this.body = body;
            this.headers = headers;
        }

        @Override
        public String toString() {
            return status + " " + headers + (body.length() > 300 ? body.substring(0, 300) : body);
        }
    }

    private static String run(List<String> cmd, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd.get(0) + " did not finish");
        }
        return out;
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }
}
