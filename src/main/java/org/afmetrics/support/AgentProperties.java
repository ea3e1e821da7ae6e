package org.afmetrics.support;

import java.util.Properties;

/**
 * What a running agent tells about itself through its JVM's system properties, so that tools
 * on the same host (the {@code attach} and {@code status} commands) can find out, through the
 * JDK's attach API, whether a JVM is monitored and where, without asking the agent over HTTP.
 */
public final class AgentProperties {
    public static final String URL = "afmetrics.url";
    public static final String USER = "afmetrics.user";
    public static final String SESSION = "afmetrics.session";
    public static final String NOTEBOOK = "afmetrics.notebook";
    public static final String JSON = "afmetrics.json";
    public static final String VERSION = "afmetrics.version";
    public static final String ERROR = "afmetrics.error";

    private AgentProperties() {
    }

    public static void published(String url, String user, String session, String notebook, String json) {
        set(USER, user);
        set(SESSION, session);
        set(NOTEBOOK, notebook);
        set(JSON, json);
        set(VERSION, Version.get());
        System.clearProperty(ERROR);
        set(URL, url);
    }

    public static void failed(String message) {
        set(ERROR, message);
    }

    private static void set(String key, String value) {
        try {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        } catch (SecurityException ignored) {
            // a host with a security manager keeps its properties to itself
        }
    }

    /** The URL an agent serves on, from a JVM's properties; null when none runs there. */
    public static String url(Properties jvmProperties) {
        return jvmProperties.getProperty(URL);
    }
}
