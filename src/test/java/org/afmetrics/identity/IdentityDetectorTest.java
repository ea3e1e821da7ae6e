package org.afmetrics.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.afmetrics.config.AgentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdentityDetectorTest {
    private final List<String> asked = new ArrayList<>();

    private Identity detect(Map<String, String> env, String commandLine, String args) {
        Map<String, String> e = new HashMap<>(env);
        e.put("JUPYTERHUB_API_TOKEN", "secret-token");
        IdentityDetector d = new IdentityDetector(name -> {
            asked.add(name);
            return e.get(name);
        }, commandLine, "osuser", 4242);
        return d.detect(AgentConfig.parse(args, n -> null));
    }

    @Test
    void jupyterHubUserAndKernelIdFromTheConnectionFile() {
        Identity id = detect(Map.of("JUPYTERHUB_USER", "alice", "JPY_SESSION_NAME", "/home/alice/ttbar.ipynb"),
                "io.github.spencerpark.ijava.IJava /home/alice/.local/share/jupyter/runtime/"
                        + "kernel-3f2a9c1e-77b0-4c55-9d2e-0a1b2c3d4e5f.json", null);
        assertEquals("alice", id.user());
        assertEquals("3f2a9c1e-77b0-4c55-9d2e-0a1b2c3d4e5f", id.session());
        assertEquals("/home/alice/ttbar.ipynb", id.labels().get("notebook"));
        assertEquals(List.of("user", "session", "jvm", "notebook"), id.labelNames());
        assertEquals("kernel", id.labels().get("jvm"));
    }

    @Test
    void fallsBackToTheOsUserAndThePid() {
        Identity id = detect(Map.of(), "org.example.Main --verbose", null);
        assertEquals("osuser", id.user());
        assertEquals("4242", id.session());
        assertFalse(id.hasLabel("notebook"));
    }

    @Test
    void overridesAndCustomLabels() {
        Identity id = detect(Map.of("JUPYTERHUB_USER", "alice"), "Main kernel-abc.json",
                "user=carol,session=s1,labels=site=unl;user=ignored");
        assertEquals("carol", id.user());
        assertEquals("s1", id.session());
        assertEquals("unl", id.labels().get("site"));
        assertEquals(List.of("user", "session", "jvm", "site"), id.labelNames(), "a custom label cannot replace user");
    }

    @Test
    void neverAsksForTheHubToken() {
        detect(Map.of("JUPYTERHUB_USER", "alice"), "", null);
        assertFalse(asked.contains("JUPYTERHUB_API_TOKEN"), asked.toString());
        assertTrue(asked.contains("JUPYTERHUB_USER"));
    }

    @Test
    void connectionFileForms() {
        assertEquals("abc", IdentityDetector.kernelIdFromCommandLine("x.jar kernel-abc.json"));
        assertEquals("abc", IdentityDetector.kernelIdFromCommandLine("Main --connection-file=/r/kernel-abc.json"));
        assertEquals("abc", IdentityDetector.kernelIdFromCommandLine("Main C:\\r\\kernel-abc.json"));
        assertNull(IdentityDetector.kernelIdFromCommandLine("Main kernel-.json"));
        assertNull(IdentityDetector.kernelIdFromCommandLine("Main kernel.json"));
        assertNull(IdentityDetector.kernelIdFromCommandLine(""));
    }

    @Test
    void reservedNamesIncludeWhatTheAgentMayAddLater() {
        Identity id = detect(Map.of(), "", "labels=site=unl");
        assertTrue(id.reservedLabelNames().containsAll(List.of("user", "session", "jvm", "notebook", "kernel", "site")));
    }

    /**
     * A fake process tree: entries {@code pid,ppid,arguments} separated by {@code ;}; a pid not
     * listed cannot be read. This JVM is pid 4242.
     */
    static ProcessTree tree(String spec) {
        Map<Long, Long> parents = new HashMap<>();
        Map<Long, String> args = new HashMap<>();
        if (spec != null) {
            for (String entry : spec.split(";")) {
                String[] f = entry.trim().split(",", 3);
                long p = Long.parseLong(f[0].trim());
                parents.put(p, Long.parseLong(f[1].trim()));
                args.put(p, f.length > 2 ? f[2] : "");
            }
        }
        return new ProcessTree() {
            @Override
            public long parent(long pid) {
                return parents.getOrDefault(pid, -1L);
            }

            @Override
            public String commandLine(long pid) {
                return args.get(pid);
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "own connection file: the kernel itself, no walk needed"
                + " | Main /r/kernel-own.json | 4242,100,python -m ipykernel_launcher -f /r/kernel-up.json | - | own | kernel",
        "parent python ipykernel: a child with its id"
                + " | org.apache.spark.deploy.SparkSubmit pyspark-shell | 4242,100,;100,1,/usr/bin/python3 -m ipykernel_launcher -f /home/a/.local/share/jupyter/runtime/kernel-3f2a-77b0.json | - | 3f2a-77b0 | child",
        "grandparent kernel through a shell"
                + " | Main | 4242,200,;200,100,/bin/sh -c mvn test;100,1,python -m ipykernel_launcher -f /r/kernel-K1.json | - | K1 | child",
        "the nearest kernel wins"
                + " | Main | 4242,200,;200,100,python -m ipykernel_launcher -f /r/kernel-near.json;100,1,python -m ipykernel_launcher -f /r/kernel-far.json | - | near | child",
        "no kernel up to pid 1: other, the pid"
                + " | Main | 4242,200,;200,100,bash;100,1,sshd;1,0,/sbin/init kernel-init.json | - | 4242 | other",
        "a loop in the tree: other, the pid"
                + " | Main | 4242,200,;200,300,bash;300,200,bash | - | 4242 | other",
        "a missing /proc entry stops the walk"
                + " | Main | 4242,200,;200,300,bash;400,1,python -f /r/kernel-beyond.json | - | 4242 | other",
        "an unreadable parent stops the walk"
                + " | Main | - | - | 4242 | other",
        "a kernel 16 levels up is still found"
                + " | Main | 4242,10,;10,11,sh;11,12,sh;12,13,sh;13,14,sh;14,15,sh;15,16,sh;16,17,sh;17,18,sh;18,19,sh;19,20,sh;20,21,sh;21,22,sh;22,23,sh;23,24,sh;24,25,sh;25,1,python -f /r/kernel-deep.json | - | deep | child",
        "17 levels up is past the bound"
                + " | Main | 4242,10,;10,11,sh;11,12,sh;12,13,sh;13,14,sh;14,15,sh;15,16,sh;16,17,sh;17,18,sh;18,19,sh;19,20,sh;20,21,sh;21,22,sh;22,23,sh;23,24,sh;24,25,sh;25,26,sh;26,1,python -f /r/kernel-deep.json | - | 4242 | other",
        "a session= setting wins over the kernel found; the role stays"
                + " | Main | 4242,100,;100,1,python -m ipykernel_launcher -f /r/kernel-K1.json | session=mine | mine | child",
        "a session= setting wins for the kernel itself"
                + " | Main /r/kernel-own.json | - | session=mine | mine | kernel",
    })
    void sessionAndRoleFromTheProcessTree(String name, String commandLine, String spec, String args,
            String session, String role) {
        IdentityDetector d = new IdentityDetector(n -> null, commandLine, "osuser", 4242, tree(spec));
        Identity id = d.detect(AgentConfig.parse(args, n -> null));
        assertEquals(session, id.session());
        assertEquals(role, id.labels().get("jvm"));
        assertEquals(List.of("user", "session", "jvm"), id.labelNames());
        assertTrue(id.reservedLabelNames().contains("jvm"));
    }

    @Test
    void procTreeReadsTheParentAndTheArguments(@org.junit.jupiter.api.io.TempDir java.nio.file.Path proc)
            throws java.io.IOException {
        java.nio.file.Path p = java.nio.file.Files.createDirectories(proc.resolve("100"));
        java.nio.file.Files.writeString(p.resolve("stat"), "100 (py thon) (x) S 7 100 100 0 -1");
        java.nio.file.Files.write(p.resolve("cmdline"),
                "python\0-m\0ipykernel_launcher\0-f\0/r/kernel-K1.json\0".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ProcessTree t = new ProcessTree.Proc(proc);
        assertEquals(7, t.parent(100));
        assertEquals("python -m ipykernel_launcher -f /r/kernel-K1.json", t.commandLine(100));
        assertEquals(-1, t.parent(101));
        assertNull(t.commandLine(101));
    }

    @Test
    void thisJvmOnLinuxHasAReadableParent() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"));
        ProcessTree t = ProcessTree.forThisSystem();
        long me = ProcessHandle.current().pid();
        assertEquals(ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L), t.parent(me));
        assertTrue(t.commandLine(me).contains("java"), t.commandLine(me));
    }
}
