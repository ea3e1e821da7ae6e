package org.afmetrics.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.afmetrics.kernel.HookPoints.HookPoint;
import org.afmetrics.kernel.HookPoints.Role;

/**
 * Classes for the cell hook benchmarks, woven by the agent's own {@link Weaver} exactly as it
 * weaves a kernel's class (same package as the weaver, which is not public): what a benchmark calls
 * is the bytecode a kernel runs, bridge calls and catch-all handler included.
 */
public final class WovenCells {
    private WovenCells() {
    }

    /** {@code template} as it is, defined anew in a loader of its own (the baseline's shape of call). */
    public static Class<?> plain(Class<?> template) throws IOException {
        return new Loader(template.getClassLoader()).define(template.getName(), bytes(template));
    }

    /**
     * {@code template} with its method {@code method}{@code descriptor} woven in the hook role
     * {@code role} (a {@code HookPoints.Role} name: CELL, CELL_ON_WORKER, CELL_WORK), defined in a
     * loader of its own whose parent resolves the bridge.
     */
    public static Class<?> woven(Class<?> template, String method, String descriptor, String role) throws IOException {
        String internalName = template.getName().replace('.', '/');
        Set<HookPoint> woven = new HashSet<>();
        byte[] out = Weaver.weave(bytes(template),
                List.of(new HookPoint(internalName, method, Role.valueOf(role), descriptor)), woven);
        if (out == null) {
            throw new IllegalStateException("no " + method + descriptor + " in " + template.getName());
        }
        return new Loader(template.getClassLoader()).define(template.getName(), out);
    }

    private static byte[] bytes(Class<?> template) throws IOException {
        String resource = template.getName().replace('.', '/') + ".class";
        try (InputStream in = template.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no class file " + resource);
            }
            return in.readAllBytes();
        }
    }

    private static final class Loader extends ClassLoader {
        Loader(ClassLoader parent) {
            super(parent);
        }

        Class<?> define(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}
