package org.afmetrics.identity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whose kernel this is and which session: the constant labels every exported series carries,
 * in a fixed order (user, session, jvm, notebook when known, then the operator's own labels).
 */
public final class Identity {
    private final Map<String, String> labels;
    private final List<String> names;
    private final List<String> values;

    public Identity(Map<String, String> labels) {
        this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        this.names = Collections.unmodifiableList(new ArrayList<>(labels.keySet()));
        this.values = Collections.unmodifiableList(new ArrayList<>(labels.values()));
    }

    public String user() {
        return labels.get("user");
    }

    public String session() {
        return labels.get("session");
    }

    public Map<String, String> labels() {
        return labels;
    }

    public List<String> labelNames() {
        return names;
    }

    public List<String> labelValues() {
        return values;
    }

    /**
     * Label names a notebook's JSON may not use: this identity's, and those the agent sets or may
     * set later (the notebook and the kernel become known after start in some kernels).
     */
    public Set<String> reservedLabelNames() {
        Set<String> reserved = new HashSet<>(names);
        Collections.addAll(reserved, "user", "session", IdentityDetector.ROLE, "notebook", "kernel");
        return Collections.unmodifiableSet(reserved);
    }

    public boolean hasLabel(String name) {
        return labels.containsKey(name);
    }

    /** A copy with one more label, placed after the detected ones (e.g. the kernel once known). */
    public Identity with(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        copy.put(name, value);
        return new Identity(copy);
    }
}
