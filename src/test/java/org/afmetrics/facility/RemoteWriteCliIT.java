package org.afmetrics.facility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.afmetrics.testing.AgentCli;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code prometheus-config --mode}: a command line that cannot make a working configuration is a
 * usage error (exit status 2, the reason on stderr, nothing on stdout), whatever the mode; so is
 * an option the mode would ignore.
 */
class RemoteWriteCliIT {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--mode node                                                        | needs --remote-write",
        "--mode node --remote-write ftp://centre/write                      | http(s)",
        "--mode node --remote-write http://c:9090/api/v1/write --remote-write-user u | both",
        "--mode node --remote-write http://c:9090/api/v1/write --remote-write-cert-file /c | both",
        "--mode node --remote-write http://c:9090/api/v1/write --job-only   | --job-only has no use with --mode node",
        "--mode central --job-only                                          | --job-only has no use with --mode central",
        "--mode central --remote-write http://c:9090/api/v1/write           | --remote-write has no use with --mode central",
        "--node n1                                                          | --node has no use with --mode single,",
        "--mode central --targets-dir /srv/t                                | --targets-dir has no use with --mode central",
        "--mode node --remote-write http://c:9090/api/v1/write --pushgateway p:9091 | --pushgateway has no use with --mode node",
        "--mode node --remote-write http://c:9090/api/v1/write --rules-file r.yml   | --rules-file has no use with --mode node",
        "--job-only --rules-file r.yml                                      | --rules-file has no use with --mode single --job-only",
        "--job-only --scrape-interval 30s                                   | --scrape-interval has no use with --mode single --job-only",
        "--mode single --remote-write-ca-file ca.pem                        | --remote-write-ca-file has no use with --mode single,",
        "--mode federated                                                   | single, node or central",
    })
    void unworkableCommandLinesAreUsageErrors(String args, String reason) throws Exception {
        String[] argv = ("prometheus-config " + args.trim()).split(" +");
        AgentCli.Result r = AgentCli.run(Map.of(), argv);
        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.stderr.contains(reason), r.toString());
        assertEquals("", r.stdout, "nothing printed for a command line that cannot work");
    }
}
