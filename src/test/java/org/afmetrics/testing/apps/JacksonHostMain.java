package org.afmetrics.testing.apps;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A host application with its own (older) Jackson on the class path. It is compiled without
 * Jackson and reaches it by reflection, so the test decides which version it gets at run time.
 * It waits until the agent has read the notebook JSON, so both Jacksons are loaded together.
 */
public final class JacksonHostMain {
    private JacksonHostMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread.sleep(3000);
        Class<?> mapperClass = Class.forName("com.fasterxml.jackson.databind.ObjectMapper");
        Object mapper = mapperClass.getConstructor().newInstance();
        Object version = mapperClass.getMethod("version").invoke(mapper);
        System.out.println("jackson " + version);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("dataset", "SingleMu");
        value.put("events", 42);
        Method write = mapperClass.getMethod("writeValueAsString", Object.class);
        String json = (String) write.invoke(mapper, value);
        System.out.println(json);
        Method read = mapperClass.getMethod("readValue", String.class, Class.class);
        Map<?, ?> back = (Map<?, ?>) read.invoke(mapper, json, Map.class);
        System.out.println("round trip " + back.equals(value));
    }
}
