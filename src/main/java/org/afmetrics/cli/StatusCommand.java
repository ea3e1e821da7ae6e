package org.afmetrics.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.afmetrics.facility.ClassDataArchive;
import org.afmetrics.support.AgentProperties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code status [--targets-dir DIR] [--json]}: the agents on this host, found among the JVMs the
 * JDK can list (and in a scrape-target directory), each asked for its own metrics.
 */
@Command(name = "status", header = "The agents on this host: pid, user, session, jvm, kernel, URL, JSON sources.", mixinStandardHelpOptions = true,
        description = {"The agents on this host: pid, user, session, jvm, notebook, kernel, URL and JSON sources,",
                "found among the JVMs the JDK can list (yours, or all as root) and in a targets directory.",
                "CDS: whether the JVM has a kernel's class-data archive (kernelspec install --cds) mapped."})
final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--targets-dir", paramLabel = "DIR", description = "also the agents with a target file in DIR")
    Path targetsDir;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Override
    public Integer call() {
        Map<String, ObjectNode> agents = new LinkedHashMap<>();
        fromJvms(agents);
        boolean read = targetsDir == null || fromTargets(targetsDir, agents);
        for (ObjectNode a : agents.values()) {
            fromMetrics(a);
        }
        if (json) {
            ArrayNode out = JSON.createArrayNode();
            agents.values().forEach(out::add);
            System.out.println(out.toPrettyString());
        } else {
            printTable(new ArrayList<>(agents.values()));
        }
        // the agents it could find are shown; the directory it could not read makes it a failure
        return read ? Main.OK : Main.FAILED;
    }

    private static void fromJvms(Map<String, ObjectNode> agents) {
        String self = Long.toString(ProcessHandle.current().pid());
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(self) || !JvmProcess.catchesQuit(Long.parseLong(d.id()))) {
                continue;
            }
            Properties p;
            try {
                VirtualMachine vm = VirtualMachine.attach(d);
                try {
                    p = vm.getSystemProperties();
                } finally {
                    vm.detach();
                }
            } catch (Exception e) {
                continue;
            }
            String url = AgentProperties.url(p);
            if (url == null) {
                continue;
            }
            ObjectNode a = agent(agents, url);
            a.put("pid", Long.parseLong(d.id()));
            a.put("user", p.getProperty(AgentProperties.USER));
            a.put("session", p.getProperty(AgentProperties.SESSION));
            a.put("notebook", p.getProperty(AgentProperties.NOTEBOOK));
            a.put("version", p.getProperty(AgentProperties.VERSION));
            a.put("found_by", "jvm");
            String archive = ClassDataArchive.mappedBy(Long.parseLong(d.id()));
            a.put("cds", archive == null ? "no" : archive.isEmpty() ? "?" : "yes");
            if (archive != null && !archive.isEmpty()) {
                a.put("cds_archive", archive);
            }
        }
    }

    /** The agents of the target files in the directory; false (and a line on stderr) when it cannot be read. */
    private static boolean fromTargets(Path dir, Map<String, ObjectNode> agents) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                JsonNode groups;
                try {
                    groups = JSON.readTree(f.toFile());
                } catch (IOException e) {
                    continue;
                }
                for (JsonNode g : groups) {
                    for (JsonNode t : g.path("targets")) {
                        ObjectNode a = agent(agents, "http://" + t.asText() + "/metrics");
                        g.path("labels").fields().forEachRemaining(l -> {
                            // target files carry discovery labels: __meta_afmetrics_user, _pid, ...
                            String key = l.getKey().replaceFirst("^__meta_afmetrics_", "");
                            if (!a.has(key) || a.get(key).isNull()) {
                                if (key.equals("pid")) {
                                    a.put(key, l.getValue().asLong());
                                } else {
                                    a.put(key, l.getValue().asText());
                                }
                            }
                        });
                        if (!a.has("found_by")) {
                            a.put("found_by", "target:" + f.getFileName());
                        }
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("status: cannot read the targets directory " + dir + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such directory" : e.toString()));
            return false;
        }
        return true;
    }

    private static ObjectNode agent(Map<String, ObjectNode> agents, String url) {
        return agents.computeIfAbsent(url, u -> JSON.createObjectNode().put("url", u));
    }

    /** Kernel and JSON source state, from the agent's own exposition. */
    private static void fromMetrics(ObjectNode a) {
        String text;
        try {
            text = fetch(a.get("url").asText());
        } catch (IOException e) {
            a.put("reachable", false);
            return;
        }
        a.put("reachable", true);
        ObjectNode sources = JSON.createObjectNode();
        for (String line : text.split("\n")) {
            if (line.startsWith("afmetrics_agent_info{") && label(line, "jvm") != null) {
                a.put("jvm", label(line, "jvm"));
            } else if (line.startsWith("jupyter_kernel_info{")) {
                a.put("kernel", label(line, "kernel"));
            } else if (line.startsWith("afmetrics_json_series{")) {
                source(sources, label(line, "source")).put("series", (long) value(line));
            } else if (line.startsWith("afmetrics_json_errors_total{")) {
                ObjectNode s = source(sources, label(line, "source"));
                ObjectNode errors = s.has("errors") ? (ObjectNode) s.get("errors") : s.putObject("errors");
                errors.put(label(line, "reason"), (long) value(line));
            } else if (line.startsWith("afmetrics_json_last_success_timestamp_seconds{")) {
                source(sources, label(line, "source")).put("last_success", value(line));
            }
        }
        a.set("json", sources);
    }

    private static ObjectNode source(ObjectNode sources, String name) {
        return sources.has(name) ? (ObjectNode) sources.get(name) : sources.putObject(name);
    }

    private static String fetch(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    static String label(String line, String name) {
        String key = name + "=\"";
        int i = line.indexOf(key);
        if (i < 0 || (i > 0 && line.charAt(i - 1) != '{' && line.charAt(i - 1) != ',')) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int j = i + key.length(); j < line.length() && line.charAt(j) != '"'; j++) {
            char ch = line.charAt(j);
            if (ch == '\\' && j + 1 < line.length()) {
                char n = line.charAt(++j);
                sb.append(n == 'n' ? '\n' : n);
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    static double value(String line) {
        String[] parts = line.substring(line.lastIndexOf('}') + 1).trim().split("\\s+");
        try {
            return Double.parseDouble(parts[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static void printTable(List<ObjectNode> agents) {
        if (agents.isEmpty()) {
            System.out.println("no agents found on this host");
            return;
        }
        String format = "%-8s %-12s %-38s %-6s %-24s %-8s %-4s %-36s %s%n";
        System.out.printf(format, "PID", "USER", "SESSION", "JVM", "NOTEBOOK", "KERNEL", "CDS", "URL", "JSON SOURCES");
        for (ObjectNode a : agents) {
            StringBuilder json = new StringBuilder();
            a.path("json").fields().forEachRemaining(s -> {
                json.append(json.length() == 0 ? "" : "; ").append(s.getKey()).append(": ")
                        .append(s.getValue().path("series").asLong()).append(" series");
                if (s.getValue().has("errors")) {
                    json.append(", errors ").append(s.getValue().get("errors").toString());
                }
            });
            System.out.printf(format, text(a, "pid"), text(a, "user"), text(a, "session"), text(a, "jvm"), text(a, "notebook"),
                    text(a, "kernel"), text(a, "cds"), a.get("url").asText(),
                    a.path("reachable").asBoolean() ? json.toString() : "(not answering)");
        }
    }

    private static String text(ObjectNode a, String field) {
        JsonNode v = a.get(field);
        return v == null || v.isNull() ? "-" : v.asText();
    }
}
