package org.afmetrics.facility;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two requests a notebook sends a new kernel first, a {@code kernel_info_request} and a
 * trivial {@code execute_request}, on its shell socket, each awaited: so the classes of the
 * kernel's first reply and of its first cell are loaded while its class-data archive is being
 * made. A minimal Jupyter client over ZMTP 3 (NULL security, a DEALER to the kernel's ROUTER,
 * messages signed with HMAC-SHA256), on loopback only; it speaks to the kernel it started itself.
 */
final class KernelWarmUp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Mac mac;
    private final String session = UUID.randomUUID().toString();

    private KernelWarmUp(Socket socket, Mac mac) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.mac = mac;
    }

    /** The trivial cell for a kernel's language, or null where none is known (then only kernel_info). */
    static String trivialCell(String language) {
        switch (language.toLowerCase(Locale.ROOT)) {
            case "kotlin":
            case "java":
            case "scala":
            case "groovy":
                return "1 + 1";
            case "clojure":
                return "(+ 1 1)";
            default:
                return null;
        }
    }

    /** Connected to the kernel's shell port, greeted and ready (the ZMTP handshake done). */
    static KernelWarmUp connect(int shellPort, String key, Duration timeout) throws IOException {
        Mac mac = null;
        if (!key.isEmpty()) {
            try {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IOException("no HMAC-SHA256: " + e.getMessage());
            }
        }
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), shellPort), (int) timeout.toMillis());
        s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        KernelWarmUp c = new KernelWarmUp(s, mac);
        try {
            c.handshake();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return c;
    }

    private void handshake() throws IOException {
        byte[] greeting = new byte[64];
        greeting[0] = (byte) 0xff;
        greeting[9] = 0x7f;
        greeting[10] = 3; // ZMTP 3.0
        greeting[11] = 0;
        byte[] mechanism = "NULL".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(mechanism, 0, greeting, 12, mechanism.length);
        out.write(greeting);
        out.flush();
        byte[] theirs = new byte[64];
        in.readFully(theirs);
        if ((theirs[0] & 0xff) != 0xff || theirs[9] != 0x7f || theirs[10] < 3) {
            throw new IOException("the kernel's shell socket does not speak ZMTP 3");
        }
        ByteArrayOutputStream ready = new ByteArrayOutputStream();
        ready.write(5);
        ready.write("READY".getBytes(StandardCharsets.US_ASCII));
        property(ready, "Socket-Type", "DEALER");
        byte[] body = ready.toByteArray();
        out.write(0x04); // a short command
        out.write(body.length);
        out.write(body);
        out.flush();
        // their READY
        Frame f = frame();
        if (!f.command) {
            throw new IOException("the kernel's shell socket sent no READY");
        }
    }

    private static void property(ByteArrayOutputStream b, String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        b.write(n.length);
        b.write(n, 0, n.length);
        b.write(v.length >>> 24);
        b.write(v.length >>> 16);
        b.write(v.length >>> 8);
        b.write(v.length);
        b.write(v, 0, v.length);
    }

    /** Sends a request and waits for its reply (other messages on the shell socket are passed over); the reply's content. */
    JsonNode request(String type, ObjectNode content) throws IOException {
        String id = UUID.randomUUID().toString();
        ObjectNode header = JSON.createObjectNode().put("msg_id", id).put("session", session)
                .put("username", "af-metrics").put("date", Instant.now().toString()).put("msg_type", type)
                .put("version", "5.3");
        List<byte[]> parts = new ArrayList<>();
        parts.add(JSON.writeValueAsBytes(header));
        parts.add("{}".getBytes(StandardCharsets.UTF_8));
        parts.add("{}".getBytes(StandardCharsets.UTF_8));
        parts.add(JSON.writeValueAsBytes(content));
        List<byte[]> frames = new ArrayList<>();
        frames.add(DELIMITER);
        frames.add(signature(parts));
        frames.addAll(parts);
        for (int i = 0; i < frames.size(); i++) {
            send(frames.get(i), i + 1 < frames.size());
        }
        out.flush();
        while (true) {
            List<byte[]> message = message();
            int d = 0;
            while (d < message.size() && !java.util.Arrays.equals(message.get(d), DELIMITER)) {
                d++;
            }
            if (message.size() < d + 6) {
                continue;
            }
            JsonNode parent = JSON.readTree(message.get(d + 3));
            if (id.equals(parent.path("msg_id").asText())) {
                return JSON.readTree(message.get(d + 5));
            }
        }
    }

    private byte[] signature(List<byte[]> parts) {
        if (mac == null) {
            return new byte[0];
        }
        mac.reset();
        for (byte[] p : parts) {
            mac.update(p);
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : mac.doFinal()) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private void send(byte[] body, boolean more) throws IOException {
        if (body.length < 256) {
            out.write(more ? 0x01 : 0x00);
            out.write(body.length);
        } else {
            out.write(more ? 0x03 : 0x02);
            long n = body.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (n >>> shift));
            }
        }
        out.write(body);
    }

    /** One whole message: its frames, commands passed over. */
    private List<byte[]> message() throws IOException {
        List<byte[]> frames = new ArrayList<>();
        while (true) {
            Frame f = frame();
            if (f.command) {
                continue;
            }
            frames.add(f.body);
            if (!f.more) {
                return frames;
            }
        }
    }

    private static final class Frame {
        final boolean command;
        final boolean more;
        final byte[] body;

        Frame(boolean command, boolean more, byte[] body) {
            this.command = command;
            this.more = more;
            this.body = body;
        }
    }

    private Frame frame() throws IOException {
        int flags = in.readUnsignedByte();
        long size = (flags & 0x02) != 0 ? in.readLong() : in.readUnsignedByte();
        if (size < 0 || size > 64L << 20) {
            throw new IOException("a frame of " + size + " bytes from the kernel's shell socket");
        }
        byte[] body = new byte[(int) size];
        in.readFully(body);
        return new Frame((flags & 0x04) != 0, (flags & 0x01) != 0, body);
    }

    /**
     * A kernel_info_request, then the cell (null: none), each to its reply; false (with the
     * kernel left as it is) where the kernel did not answer as a Jupyter kernel does.
     */
    static boolean warmUp(int shellPort, String key, String cell, Duration timeout) {
        try (KernelWarmUp c = connect(shellPort, key, timeout)) {
            c.request("kernel_info_request", JSON.createObjectNode());
            if (cell != null) {
                ObjectNode execute = JSON.createObjectNode().put("code", cell).put("silent", false)
                        .put("store_history", true).put("allow_stdin", false).put("stop_on_error", true);
                execute.putObject("user_expressions");
                c.request("execute_request", execute);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
