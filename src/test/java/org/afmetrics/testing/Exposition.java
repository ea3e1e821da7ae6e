package org.afmetrics.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A parsed Prometheus text exposition (format 0.0.4): its samples, with their labels. */
public final class Exposition {
    private final String text;
    private final List<Sample> samples;

    private Exposition(String text, List<Sample> samples) {
        this.text = text;
        this.samples = samples;
    }

    public static Exposition parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            samples.add(Sample.parse(line));
        }
        return new Exposition(text, Collections.unmodifiableList(samples));
    }

    public String text() {
        return text;
    }

    public List<Sample> samples() {
        return samples;
    }

    public List<Sample> named(String name) {
        return samples.stream().filter(s -> s.name.equals(name)).collect(Collectors.toList());
    }

    /** The one sample with this name whose labels include all the given ones, or null. */
    public Sample find(String name, String... labelPairs) {
        List<Sample> found = new ArrayList<>();
        for (Sample s : named(name)) {
            boolean ok = true;
            for (int i = 0; i + 1 < labelPairs.length; i += 2) {
                ok &= labelPairs[i + 1].equals(s.labels.get(labelPairs[i]));
            }
            if (ok) {
                found.add(s);
            }
        }
        if (found.size() > 1) {
            throw new AssertionError("more than one " + name + " sample matches: " + found);
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /** One sample line. */
    public static final class Sample {
        public final String name;
        public final Map<String, String> labels;
        public final double value;
        public final String line;

        private Sample(String name, Map<String, String> labels, double value, String line) {
            this.name = name;
            this.labels = labels;
            this.value = value;
            this.line = line;
        }

        static Sample parse(String line) {
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            Map<String, String> labels = new LinkedHashMap<>();
            String name;
            String rest;
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                int i = brace + 1;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String ln = line.substring(i, eq).trim();
                    StringBuilder v = new StringBuilder();
                    int j = eq + 2;
                    for (; line.charAt(j) != '"'; j++) {
                        char c = line.charAt(j);
                        if (c == '\\') {
                            char n = line.charAt(++j);
                            v.append(n == 'n' ? '\n' : n);
                        } else {
                            v.append(c);
                        }
                    }
                    labels.put(ln, v.toString());
                    i = j + 1;
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
                rest = line.substring(i + 1).trim();
            } else {
                name = line.substring(0, space);
                rest = line.substring(space + 1).trim();
            }
            String valueText = rest.split("\\s+")[0];
            double value;
            switch (valueText) {
                case "+Inf": value = Double.POSITIVE_INFINITY; break;
                case "-Inf": value = Double.NEGATIVE_INFINITY; break;
                case "NaN": value = Double.NaN; break;
                default: value = Double.parseDouble(valueText);
            }
            return new Sample(name, Collections.unmodifiableMap(labels), value, line);
        }

        @Override
        public String toString() {
            return line;
        }
    }
}
