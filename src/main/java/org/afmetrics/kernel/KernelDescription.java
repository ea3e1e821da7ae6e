package org.afmetrics.kernel;

import java.lang.reflect.Method;
import java.net.URL;
import java.security.CodeSource;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which kernel this is ({@code ijava}, {@code jjava}, {@code kotlin}, or the kernel class's own
 * name for other kernels of the same families), its version and its language. Found once,
 * reflectively, through the public API of the hooked base class; anything unknown stays
 * {@code unknown}.
 */
public final class KernelDescription {
    static final String UNKNOWN = "unknown";
    private static final Pattern JAR_VERSION = Pattern.compile("-(\\d[^/]*?)\\.jar$");

    private final String kernel;
    private final String version;
    private final String language;

    public KernelDescription(String kernel, String version, String language) {
        this.kernel = orUnknown(kernel);
        this.version = orUnknown(version);
        this.language = orUnknown(language);
    }

    public String kernel() {
        return kernel;
    }

    public String version() {
        return version;
    }

    public String language() {
        return language;
    }

    static KernelDescription of(Object kernelOrType) {
        Object kernelObject = kernelOrType instanceof Class ? null : kernelOrType;
        Class<?> hookedType = kernelOrType instanceof Class ? (Class<?>) kernelOrType : hookedBase(kernelOrType);
        String hooked = hookedType == null ? "" : hookedType.getName();
        if (hooked.startsWith(HookPoints.KOTLIN_PACKAGE)) {
            return new KernelDescription("kotlin", versionOf(hookedType), "kotlin");
        }
        Class<?> k = kernelObject == null ? hookedType : kernelObject.getClass();
        if (k == null) {
            return new KernelDescription(null, null, null);
        }
        String language = call(call(kernelObject, hookedType, "getLanguageInfo"), null, "getName");
        if (hooked.startsWith(HookPoints.JJAVA_PACKAGE)) {
            String name = k.getName().startsWith("org.dflib.jjava.") ? "jjava"
                    : nameOf(call(kernelObject, hookedType, "getName"), k);
            String version = call(kernelObject, hookedType, "getVersion");
            return new KernelDescription(name, version != null ? version : versionOf(k), language);
        }
        String name = k.getName().startsWith("io.github.spencerpark.ijava.") ? "ijava" : nameOf(null, k);
        String version = versionOf(k);
        return new KernelDescription(name, version != null ? version : versionOf(hookedType), language);
    }

    /** The hooked base class among the kernel object's superclasses. */
    private static Class<?> hookedBase(Object kernelObject) {
        for (Class<?> c = kernelObject == null ? null : kernelObject.getClass(); c != null; c = c.getSuperclass()) {
            if (HookPoints.forInternalName(c.getName().replace('.', '/')) != null) {
                return c;
            }
        }
        return null;
    }

    private static String nameOf(Object declared, Class<?> k) {
        String n = declared instanceof String && !((String) declared).trim().isEmpty() ? (String) declared
                : k.getSimpleName();
        return n.trim().toLowerCase(Locale.ROOT);
    }

    /** The Implementation-Version of the class's jar, else the version in the jar's file name. */
    static String versionOf(Class<?> c) {
        if (c == null) {
            return null;
        }
        Package p = c.getPackage();
        if (p != null && p.getImplementationVersion() != null) {
            return p.getImplementationVersion();
        }
        try {
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            URL url = cs == null ? null : cs.getLocation();
            if (url != null) {
                Matcher m = JAR_VERSION.matcher(url.getPath());
                if (m.find()) {
                    return m.group(1);
                }
            }
        } catch (RuntimeException e) {
            // no permission or no location: the version stays unknown
        }
        return null;
    }

    /** Calls a public no-argument method, through {@code via}'s public declaration when given. */
    private static <T> T call(Object target, Class<?> via, String method) {
        if (target == null) {
            return null;
        }
        try {
            Method m = (via != null ? via : target.getClass()).getMethod(method);
            @SuppressWarnings("unchecked")
            T value = (T) m.invoke(target);
            return value;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static String orUnknown(String s) {
        return s == null || s.trim().isEmpty() ? UNKNOWN : s.trim();
    }

    @Override
    public String toString() {
        return kernel + " " + version + " (" + language + ")";
    }
}
