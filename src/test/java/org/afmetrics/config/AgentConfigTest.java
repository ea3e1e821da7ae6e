package org.afmetrics.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {
    private static AgentConfig parse(String args, Map<String, String> env) {
        return AgentConfig.parse(args, env::get);
    }

    @Test
    void defaults() {
        AgentConfig c = parse(null, Map.of());
        assertEquals("127.0.0.1", c.get(ConfigKey.HOST));
        assertEquals(8003, c.ports().first());
        assertEquals(8099, c.ports().last());
        assertEquals(List.of("af-metrics.json"), c.jsonSources());
        assertEquals("notebook_", c.get(ConfigKey.PREFIX));
        assertTrue(c.labels().isEmpty());
        assertTrue(c.warnings().isEmpty());
        assertTrue(c.push());
    }

    @ParameterizedTest(name = "cell-hooks={0}")
    @CsvSource({
        "true, true, 0",
        "yes, true, 0",
        "false, false, 0",
        "off, false, 0",
        "force, force, 0",
        "FORCE, force, 0",
        "sometimes, true, 1",
    })
    void cellHooksTakeABooleanOrForce(String value, String mode, int warnings) {
        AgentConfig c = parse("cell-hooks=" + value, Map.of());
        assertEquals(mode, c.cellHooks().text);
        assertEquals(warnings, c.warnings().size(), c.warnings().toString());
        if (warnings > 0) {
            assertTrue(c.warnings().get(0).contains("true, false or force"), c.warnings().toString());
        }
    }

    @Test
    void argumentsWinOverEnvironmentWhichWinsOverDefaults() {
        AgentConfig c = parse("port=9100", Map.of("AF_METRICS_PORT", "9200", "AF_METRICS_HOST", "0.0.0.0"));
        assertEquals(9100, c.ports().first());
        assertEquals("0.0.0.0", c.get(ConfigKey.HOST));
    }

    @Test
    void jsonListsAndLabels() {
        AgentConfig c = parse("json=/data/a.json;out/*.json,labels=site=unl;team=cms", Map.of());
        assertEquals(List.of("/data/a.json", "out/*.json"), c.jsonSources());
        assertEquals(Map.of("site", "unl", "team", "cms"), c.labels());
        assertEquals(List.of("site", "team"), List.copyOf(c.labels().keySet()), "order kept");
    }

    @Test
    void portForms() {
        assertEquals(0, PortRange.parse("0").first());
        assertEquals(8003, PortRange.parse("8003").last());
        PortRange r = PortRange.parse("9000-9010");
        assertEquals(9000, r.first());
        assertEquals(9010, r.last());
        assertThrows(IllegalArgumentException.class, () -> PortRange.parse("9010-9000"));
        assertThrows(IllegalArgumentException.class, () -> PortRange.parse("70000"));
        assertThrows(IllegalArgumentException.class, () -> PortRange.parse("http"));
        assertThrows(IllegalArgumentException.class, () -> PortRange.parse("0-10"));
    }

    @Test
    void badValuesWarnAndFallBackWhileTheRestApplies() {
        AgentConfig c = parse("port=http,bogus=1,labels=site,host=::1,json-max-series=-5,push=maybe,prefix=9x", Map.of());
        assertEquals(8003, c.ports().first());
        assertEquals("::1", c.get(ConfigKey.HOST), "good keys still apply");
        assertTrue(c.labels().isEmpty());
        assertEquals(20000, c.jsonMaxSeries());
        assertTrue(c.push());
        assertEquals("notebook_", c.get(ConfigKey.PREFIX));
        List<String> w = c.warnings();
        assertEquals(6, w.size(), w.toString());
        assertTrue(w.stream().anyMatch(s -> s.contains("unknown key 'bogus'")), w.toString());
        assertTrue(w.stream().anyMatch(s -> s.startsWith("port: 'http' is not a port number")), w.toString());
        assertTrue(w.stream().anyMatch(s -> s.startsWith("labels: 'site' is not k=v")), w.toString());
    }

    @Test
    void badEnvironmentValueWarnsLikeAnArgument() {
        AgentConfig c = parse(null, Map.of("AF_METRICS_PORT", "80-20"));
        assertEquals(8003, c.ports().first());
        assertEquals(1, c.warnings().size());
        assertFalse(c.isSet(ConfigKey.PORT));
    }

    @Test
    void keyWithoutValueAndVeryLongValuesAreReportedShortly() {
        String huge = "x".repeat(100_000);
        AgentConfig c = parse("port," + huge + "=1,labels=" + huge, Map.of());
        assertEquals(3, c.warnings().size(), c.warnings().toString());
        c.warnings().forEach(w -> assertTrue(w.length() < 300, w));
    }

    @Test
    void invalidLabelNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parseLabels("1site=unl"));
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parseLabels("__name__=x"));
        assertEquals(Map.of("a", "b=c"), AgentConfig.parseLabels("a=b=c"));
    }

    @Test
    void everyKeyHasItsEnvironmentName() {
        assertEquals("AF_METRICS_JSON_MAX_BYTES", ConfigKey.JSON_MAX_BYTES.envName());
        assertEquals("AF_METRICS_MAX_CONNECTIONS", ConfigKey.MAX_CONNECTIONS.envName());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a plain list                 | port=9100,prefix=nb_           | 9100-9100 | nb_       | ",
        "an escaped comma in a regex  | only-main=a{1\\,3}b,port=9100 | 9100-9100 | notebook_ | a{1,3}b",
        "a regex's own backslashes    | only-main=x\\.y\\d              | 8003-8099 | notebook_ | x\\.y\\d",
        "a trailing escaped comma     | only-main=a\\,                   | 8003-8099 | notebook_ | 'a,'",
    })
    void aCommaIsWrittenBackslashCommaInsideAValue(String what, String args, String ports, String prefix,
                                                    String onlyMain) {
        AgentConfig c = parse(args, Map.of());
        assertEquals(List.of(), c.warnings(), what);
        assertEquals(ports, c.ports().first() + "-" + c.ports().last(), what);
        assertEquals(prefix, c.prefix(), what);
        assertEquals(onlyMain == null ? "" : onlyMain, c.onlyMain().map(java.util.regex.Pattern::pattern).orElse(""), what);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "only-main | only-main=(unclosed",
        "skip-main | skip-main=a{2,1}",
        "skip-main | skip-main=*x",
    })
    void aBadRegexIsOneWarningWhenReadAndTheDefaultStands(String key, String args) {
        AgentConfig c = parse(args.replace("{2,1}", "{2\\,1}"), Map.of());
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).startsWith(key + ": ") && c.warnings().get(0).contains("not a valid regular expression")
                && c.warnings().get(0).endsWith("using the default ''"), c.warnings().get(0));
        assertTrue(c.onlyMain().isEmpty() && c.skipMain().isEmpty());
        assertTrue(c.servesIn("io.github.spencerpark.ijava.IJava"), "the agent stays on, as without the key");
    }

    @Test
    void everyKeyHasItsTypedValue() {
        AgentConfig c = parse("host=0.0.0.0,user=alice,session=s1,push=false,hotspot=no,cell-resources=off,"
                + "targets-dir=/t,pushgateway=http://127.0.0.1:9091,pushgateway-job=j", Map.of());
        assertEquals("0.0.0.0", c.host());
        assertEquals("alice", c.user().orElseThrow());
        assertEquals("s1", c.session().orElseThrow());
        assertFalse(c.push());
        assertFalse(c.hotspot());
        assertFalse(c.cellResources());
        assertEquals("/t", c.targetsDir().orElseThrow());
        assertEquals("http://127.0.0.1:9091", c.pushgateway().orElseThrow());
        assertEquals("j", c.pushgatewayJob());
        assertTrue(c.authUser().isEmpty() && c.tlsKeystore().isEmpty() && c.advertiseHost().isEmpty());
    }
}
