package org.afmetrics.boot;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;

/**
 * Loads classes and resources from a jar held in memory, its own first, then from its parent.
 * The agent jar carries two: the agent's runtime, whose parent is the system class loader (which
 * holds the agent jar's own few classes: premain's, the cell bridge), and the command line, the
 * whole tool. Its classes carry the outer jar as their code source, which is where the commands
 * find the agent jar they install or attach. Entries are inflated one by one as asked, from the
 * jar's central directory (stored or deflated entries; no ZIP64, which a jar of this size never
 * needs).
 */
public final class NestedJarLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_CENTRAL = 0x06054b50;

    private final byte[] zip;
    /** Entry name → offset of its local header in {@link #zip}, compression method, compressed and full size. */
    private final Map<String, int[]> entries = new HashMap<>();
    private final ProtectionDomain domain;
    private final URLStreamHandler handler = new Handler();
    /** The protocol of this loader's resource URLs, its name. */
    private final String protocol;

    /** A loader named {@code name} (also its resource URLs' protocol) over the jar {@code zip}, whose classes come from {@code codeSource}. */
    public NestedJarLoader(String name, byte[] zip, URL codeSource, ClassLoader parent) throws IOException {
        super(name, parent);
        this.protocol = name;
        this.zip = zip;
        this.domain = new ProtectionDomain(new CodeSource(codeSource, (Certificate[]) null), null, this, null);
        int end = -1;
        for (int i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
            if (int32(i) == END_OF_CENTRAL) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw new IOException("no end of central directory");
        }
        int count = int16(end + 10);
        int at = int32(end + 16);
        for (int n = 0; n < count; n++) {
            if (at < 0 || at + 46 > zip.length || int32(at) != CENTRAL_HEADER) {
                throw new IOException("bad central directory entry " + n);
            }
            int nameLength = int16(at + 28);
            String entry = new String(zip, at + 46, nameLength, java.nio.charset.StandardCharsets.UTF_8);
            if (!entry.endsWith("/")) {
                entries.put(entry, new int[] {int32(at + 42), int16(at + 10), int32(at + 20), int32(at + 24)});
            }
            at += 46 + nameLength + int16(at + 30) + int16(at + 32);
        }
    }

    /**
     * A loader named {@code name} over the jar stored as {@code entry} in the jar {@code inJarOf}
     * was loaded from, its classes carrying that jar as their code source. The entry is read from
     * the jar file itself, not through a class loader's resource lookup, which searches every
     * module of the JDK before the class path (a cost a short JVM sees in its wall time); the JDK
     * shares the jar it has open already (same file, same modification time) with this reading.
     */
    public static NestedJarLoader ofEntry(String name, Class<?> inJarOf, String entry, ClassLoader parent)
            throws IOException {
        URL jar = inJarOf.getProtectionDomain().getCodeSource().getLocation();
        byte[] bytes;
        try (JarFile outer = new JarFile(new File(jar.toURI()), false)) {
            ZipEntry e = outer.getEntry(entry);
            if (e == null) {
                throw new IOException(entry + " is missing from the agent jar");
            }
            try (InputStream in = outer.getInputStream(e)) {
                bytes = in.readAllBytes();
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("the agent jar is not a file: " + e.getMessage(), e);
        }
        return new NestedJarLoader(name, bytes, jar, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (!entries.containsKey(name.replace('.', '/') + ".class")) {
                    return super.loadClass(name, resolve);
                }
                c = findClass(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b;
        try {
            b = read(name.replace('.', '/') + ".class");
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        if (b == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, b, 0, b.length, domain);
    }

    @Override
    public URL getResource(String name) {
        URL own = findResource(name);
        return own != null ? own : super.getResource(name);
    }

    @Override
    protected URL findResource(String name) {
        if (!entries.containsKey(name)) {
            return null;
        }
        try {
            return new URL(protocol, null, -1, "/" + name, handler);
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL own = findResource(name);
        return own == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(own));
    }

    /** The entry's bytes, or null when the jar has no such entry. */
    byte[] read(String name) throws IOException {
        int[] entry = entries.get(name);
        if (entry == null) {
            return null;
        }
        int at = entry[0];
        if (at < 0 || at + 30 > zip.length || int32(at) != LOCAL_HEADER) {
            throw new IOException("bad local header for " + name);
        }
        // method and sizes from the central directory: a local header may defer its sizes to a data descriptor
        int method = entry[1];
        int compressed = entry[2];
        int size = entry[3];
        int data = at + 30 + int16(at + 26) + int16(at + 28);
        if (size < 0 || compressed < 0 || data + compressed > zip.length) {
            throw new IOException(name + ": entry beyond the jar");
        }
        if (method == 0) {
            return java.util.Arrays.copyOfRange(zip, data, data + size);
        }
        if (method != 8) {
            throw new IOException(name + ": compression method " + method);
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(zip, data, compressed);
            byte[] out = new byte[size];
            int n = 0;
            while (n < size && !inflater.finished()) {
                int k = inflater.inflate(out, n, size - n);
                if (k == 0 && inflater.needsInput()) {
                    // raw deflate may want one byte beyond the data to finish
                    inflater.setInput(new byte[1]);
                    if (inflater.inflate(out, n, size - n) == 0) {
                        break;
                    }
                }
                n += k;
            }
            if (n != size) {
                throw new IOException(name + ": " + n + " of " + size + " bytes");
            }
            return out;
        } catch (DataFormatException e) {
            throw new IOException(name + ": " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private int int16(int at) {
        return (zip[at] & 0xff) | (zip[at + 1] & 0xff) << 8;
    }

    private int int32(int at) {
        return (zip[at] & 0xff) | (zip[at + 1] & 0xff) << 8 | (zip[at + 2] & 0xff) << 16 | (zip[at + 3] & 0xff) << 24;
    }

    /** Serves {@code PROTOCOL:/NAME} URLs from the jar. */
    private final class Handler extends URLStreamHandler {
        @Override
        protected URLConnection openConnection(URL u) {
            return new URLConnection(u) {
                @Override
                public void connect() {
                    connected = true;
                }

                @Override
                public InputStream getInputStream() throws IOException {
                    byte[] b = read(getURL().getPath().substring(1));
                    if (b == null) {
                        throw new IOException(getURL() + " not found");
                    }
                    return new ByteArrayInputStream(b);
                }
            };
        }
    }
}
