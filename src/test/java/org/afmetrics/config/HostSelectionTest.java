package org.afmetrics.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostSelectionTest {
    @Test
    void thePremainKeysAreKeysOfTheSettings() {
        for (String key : HostSelection.PREMAIN_KEYS) {
            assertNotNull(ConfigKey.byKey(key), key);
        }
    }

    @Test
    void argumentsNamingAPremainKeyMakePremainParseTheSettings() {
        assertTrue(HostSelection.namesPremainKey("port=0,only-main=x\\.Main"));
        assertTrue(HostSelection.namesPremainKey("pushgateway=http://127.0.0.1:9091"));
        assertTrue(HostSelection.namesOneOf(HostSelection.SELECTION_KEYS, "skip-main=x\\.Main"));
        // the tests' environment sets no AF_METRICS_ variable of these keys
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv().keySet().stream()
                .noneMatch(k -> k.startsWith("AF_METRICS_")));
        assertFalse(HostSelection.namesPremainKey("port=0,json=a.json"));
        // a target file needs nothing before the host's main: a facility's setting costs no JVM its fast start
        assertFalse(HostSelection.namesPremainKey("port=0,targets-dir=/tmp/t"));
        assertFalse(HostSelection.namesOneOf(HostSelection.SELECTION_KEYS, "pushgateway=http://127.0.0.1:9091"));
        assertFalse(HostSelection.namesPremainKey(null));
    }

    private static boolean active(String sunJavaCommand, String args) {
        return AgentConfig.parse(args, n -> null).servesIn(HostSelection.mainOf(sunJavaCommand));
    }

    @Test
    void kernelsAreActive() {
        assertTrue(active("io.github.spencerpark.ijava.IJava /run/kernel-1.json", null));
        assertTrue(active("/opt/kotlin-jupyter/kotlin-jupyter-kernel.jar /run/kernel-1.json", null));
        assertTrue(active("org.dflib.jjava.JJava /run/kernel-1.json", null));
        assertTrue(active("/opt/jjava/jjava.jar /run/kernel-1.json", null));
    }

    /** java Hello.java: the JDK compiles and runs the user's own program, which is no JDK tool. */
    @Test
    void aProgramRunFromItsSourceFileIsActiveAndNamedByIt() {
        for (String cmd : new String[] {"jdk.compiler/com.sun.tools.javac.launcher.Main Hello.java x",
            "jdk.compiler/com.sun.tools.javac.launcher.SourceLauncher /home/alice/Hello.java"}) {
            assertTrue(active(cmd, null), cmd);
            assertFalse(active(cmd, "skip-main=.*Hello\\.java"), "skip-main sees the source file: " + cmd);
        }
        assertEquals("Hello.java", HostSelection.mainOf("jdk.compiler/com.sun.tools.javac.launcher.Main Hello.java a b"));
        assertEquals("jdk.compiler/com.sun.tools.javac.launcher.Main",
                HostSelection.mainOf("jdk.compiler/com.sun.tools.javac.launcher.Main"));
    }

    @Test
    void toolsBuildToolsAndLaunchersAreInert() {
        for (String cmd : new String[] {
            "jdk.jcmd/sun.tools.jps.Jps", "jdk.jcmd/sun.tools.jcmd.JCmd -l", "jdk.compiler/com.sun.tools.javac.Main -version",
            "java.base/sun.security.tools.keytool.Main -help", "jdk.jshell/jdk.internal.jshell.tool.JShellToolProvider",
            "org.codehaus.plexus.classworlds.launcher.Launcher -v", "org.gradle.wrapper.GradleWrapperMain build",
            "org.gradle.launcher.daemon.bootstrap.GradleDaemon 8.5", "org.dflib.jjava.launcher.LauncherMain k.jar c.json",
            "/opt/jjava/jjava-launcher-1.0.jar /run/kernel-1.json", "jdk.jshell.execution.RemoteExecutionControl 4242",
            "almond.launcher.Launcher --connection-file x", "/opt/af-metrics/af-metrics-agent.jar kernelspec list", null, "",
        }) {
            assertFalse(active(cmd, null), String.valueOf(cmd));
        }
    }

    @Test
    void onlyMainAndSkipMainChangeTheChoice() {
        assertTrue(active("org.dflib.jjava.launcher.LauncherMain x", "only-main=org\\.dflib\\..*"));
        assertFalse(active("io.github.spencerpark.ijava.IJava x", "only-main=org\\.dflib\\..*"));
        assertFalse(active("io.github.spencerpark.ijava.IJava x", "skip-main=.*IJava"));
        assertFalse(active("a.B", "only-main=a\\..*,skip-main=a\\.B"), "skip wins");
        assertEquals("x.jar", HostSelection.mainOf("x.jar a b"));
    }

    @Test
    void aBadRegexLeavesTheChoiceAsWithoutTheKey() {
        assertTrue(active("a.B", "only-main=(("), "the bad only-main was dropped when the settings were read");
        assertFalse(active("com.sun.tools.javac.Main", "only-main=(("), "the built-in list still applies");
    }
}
