package org.afmetrics.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.afmetrics.testing.ChildJvm;
import org.afmetrics.testing.HostDriver;
import org.afmetrics.testing.apps.ScriptedHostMain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every attack a client on the same host (or any that reaches a kernel bound to all addresses)
 * can make on the exporter, one row each, against the shaded jar in a real host JVM. While the
 * attackers are at it, a fresh scrape is answered in time; the connections the server must cut
 * are cut; after they leave the host has no more threads or open files than before; and the
 * host prints, and exits with, what it does without the agent, with no stack trace of ours.
 */
class AttackMatrixIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** How long each row's attackers keep at it while fresh scrapes are timed. */
    private static final long ATTACK_MILLIS = 12_000;
    /** Sent once the host runs: it opens a file and allocates every 200 ms, as a kernel at work does. */
    private static final String HOST_WORK = "work";
    private static final String[] HOST_SCRIPT = {"threads", "report", "exit 0"};

    private static List<String> baselineStdout;
    private static int baselineExit;

    /** The host's own output without the agent, for the same script. */
    @BeforeAll
    static void hostWithoutAgent() throws Exception {
        try (ChildJvm.Running host = ChildJvm.main(ScriptedHostMain.class).start()) {
            host.awaitStdout("host main started", WAIT);
            HostDriver.send(host, HOST_WORK);
            host.awaitStdout("working", WAIT);
            for (String line : HOST_SCRIPT) {
                HostDriver.send(host, line);
            }
            baselineExit = host.awaitExit(WAIT);
            baselineStdout = Arrays.asList(host.stdout().split("\n"));
            assertEquals(List.of(), host.stderrLines(), "the host alone prints nothing on stderr");
        }
    }

    /** All rows, or with {@code -Dattack.only=TEXT} those whose name contains it. */
    static Stream<Arguments> attacks() {
        String only = System.getProperty("attack.only", "");
        return allAttacks().filter(a -> a.get()[0].toString().contains(only));
    }

    static Stream<Arguments> allAttacks() {
        return Stream.of(
                row(new Attack("200 connections that never send a byte", 200, 2_000, false) {
                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        a.hold(a.connect());
                    }
                }),
                row(new Attack("200 keep-alive connections left idle after one request", 200, 2_000, false) {
                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        Socket s = a.connect();
                        s.getOutputStream().write(ascii("GET /-/healthy HTTP/1.1\r\nHost: localhost\r\n\r\n"));
                        s.setSoTimeout(10_000);
                        readHead(s.getInputStream());
                        a.hold(s);
                    }
                }),
                // floods of connections: the cap, the longest silent going first, no thread per head
                row(new Attack("2 x 9000 never-speaking connections into a -Xmx48m host holding 30 MB", 2, 2_000, false) {
                    @Override
                    List<String> hostSetUp() {
                        return List.of("-Xmx48m");
                    }

                    @Override
                    int holdMegabytes() {
                        return 30;
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        a.flood(9_000, null);
                    }
                }),
                row(new Attack("6000 never-speaking connections into a host whose fd limit is 4096", 2, 2_000, false) {
                    @Override
                    List<String> launcher() {
                        return List.of("prlimit", "--nofile=4096:4096", "--");
                    }

                    @Override
                    int maxHostFiles() {
                        // the cap (256 by default, an eighth of the limit at most) and the JVM's own files
                        return 4096 / 4;
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        a.flood(3_000, null);
                    }
                }),
                row(new Attack("1000 connections that each sent one byte", 4, 2_000, true) {
                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        a.flood(250, ascii("G"));
                    }
                }),
                row(new Attack("32 clients sending their request head a byte at a time", 32, 2_000, true) {
                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        while (a.on()) {
                            a.dribble(a.connect(), "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n", 300);
                        }
                    }
                }),
                row(new Attack("16 pushes declaring 100 000 bytes and sending one a second", 16, 2_000, true) {
                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        while (a.on()) {
                            Socket s = a.connect();
                            s.getOutputStream().write(ascii(slowPushHead()));
                            a.dribble(s, " ".repeat(100_000), 1_000);
                        }
                    }
                }),
                row(new Attack("16 clients pipelining scrapes and never reading", 16, 2_000, true) {
                    @Override
                    int receiveBufferBytes() {
                        return 1024;
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        while (a.on()) {
                            a.neverRead();
                        }
                    }
                }),
                row(new Attack("8 slow pushes and 8 non-reading scrapers together", 16, 10_000, true) {
                    @Override
                    int receiveBufferBytes() {
                        return 1024;
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        while (a.on()) {
                            if (a.index % 2 == 0) {
                                Socket s = a.connect();
                                s.getOutputStream().write(ascii(slowPushHead()));
                                a.dribble(s, " ".repeat(100_000), 1_000);
                            } else {
                                a.neverRead();
                            }
                        }
                    }
                }),
                row(new Attack("8 clients sending malformed and smuggling requests in a loop", 8, 2_000, true) {
                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        for (int i = 0; a.on(); i++) {
                            Socket s = a.connect();
                            s.getOutputStream().write(ascii(MALFORMED[(i + a.index) % MALFORMED.length]));
                            s.setSoTimeout(5_000);
                            a.awaitClosed(s);
                        }
                    }
                }),
                row(new Attack("8 clients sending endless request heads at full speed", 8, 2_000, true) {
                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        byte[] filler = new byte[65536];
                        Arrays.fill(filler, (byte) 'a');
                        while (a.on()) {
                            Socket s = a.connect();
                            try {
                                OutputStream out = s.getOutputStream();
                                out.write(ascii("GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Filler: "));
                                while (a.on()) {
                                    out.write(filler);
                                }
                            } catch (IOException e) {
                                a.cut();
                            } finally {
                                a.release(s);
                            }
                        }
                    }
                }),
                row(new PasswordAttack("8 clients guessing the basic-auth password of a hashed credential", 8, 2_000, false) {
                    @Override
                    double maxCores() {
                        // one PBKDF2 check costs ~50 ms of a core; unchecked, 8 guessers would burn whole cores
                        return 0.5;
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        for (int i = 0; a.on(); i++) {
                            Socket s = a.connect();
                            s.getOutputStream().write(ascii("GET /metrics HTTP/1.1\r\nHost: localhost\r\n"
                                    + "Connection: close\r\nAuthorization: " + basic("prom:guess" + a.index + "-" + i)
                                    + "\r\n\r\n"));
                            s.setSoTimeout(10_000);
                            a.answered(readHead(s.getInputStream()));
                            s.close();
                            // 20 guesses a second each: unchecked, 160 PBKDF2 checks a second would need ~10 cores
                            Thread.sleep(50);
                        }
                    }

                    @Override
                    void checkAnswers(List<String> statusLines) {
                        assertGuessesRefused(statusLines);
                    }
                }),
                row(new Attack("another local user fills the socket table and sends refused pushes from 16 threads "
                        + "into a -Xmx256m host holding 150 MB", 1, 2_000, false) {
                    private OtherUserLoad load;

                    @Override
                    List<String> hostSetUp() {
                        // the other user starts filling the socket table (its entries live 60 s) while the host
                        // starts, so the whole attack runs against a full table
                        try {
                            load = OtherUserLoad.start(SOCKET_TABLE_FILL, 16);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        return List.of("-Xmx256m");
                    }

                    @Override
                    int holdMegabytes() {
                        return 150;
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        // the other user's filler and pushers in a process of its own; this thread, run by the
                        // kernel's own user, pushes as its owner would
                        try {
                            a.answered(load.awaitFilled() + "\r\n");
                            load.pushTo(a.url.getPort());
                            for (int i = 0; a.on(); i++) {
                                a.answered(ownerPush(a.url, i) + "\r\n");
                                Thread.sleep(500);
                            }
                        } finally {
                            a.answered(load.stop() + "\r\n");
                        }
                    }

                    @Override
                    void checkAnswers(List<String> lines) {
                        long table = lines.stream().filter(l -> l.startsWith("table ")).mapToLong(l ->
                                Long.parseLong(l.substring(6))).findFirst().orElse(-1);
                        assertTrue(table >= 100_000, "the socket table held " + table + " entries: " + lines);
                        List<String> owner = lines.stream().filter(l -> l.startsWith("owner push"))
                                .collect(Collectors.toList());
                        assertTrue(owner.size() >= 3, "the owner pushed while the table was full: " + lines);
                        for (String l : owner) {
                            assertTrue(l.matches("owner push \\d+: 200 in \\d+ ms") && millisOf(l) <= 1_000,
                                    "the owner's push taken within 1 s: " + owner);
                        }
                        String other = lines.stream().filter(l -> l.startsWith("answers")).findFirst().orElse("");
                        System.out.println("socket table " + table + " entries; " + owner + "; other user's " + other);
                        assertTrue(other.matches("answers( (403|429)=\\d+)+") && other.contains(" 403="),
                                "the other user's pushes refused (403, or 429 while the check was busy): " + other);
                    }
                }),
                row(new PasswordAttack("a guesser on 127.0.0.1 while a new agent's scraper there first presents the right "
                        + "password", 8, 2_000, false) {
                    @Override
                    double maxCores() {
                        // the guesses at this agent and the second one's scrapes: checks take at most 1/50 of a core
                        return 0.25;
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        if (a.index > 0) {
                            guess(a, a.url, null, 50);
                            return;
                        }
                        // a second agent, whose scraper presents the right password for the first time only
                        // once the guessing has started; the others guess at both
                        try (ChildJvm.Running fresh = ChildJvm.main(ScriptedHostMain.class)
                                .agent("port=0," + agentArgs()).start()) {
                            URI second = URI.create(fresh.awaitExporterUrl(WAIT));
                            List<Thread> guessers = new ArrayList<>();
                            for (int i = 0; i < 4; i++) {
                                Thread t = new Thread(() -> {
                                    try {
                                        guess(a, second, null, 50);
                                    } catch (IOException | InterruptedException e) {
                                        // stopped
                                    }
                                }, "second-agent-guesser-" + i);
                                t.setDaemon(true);
                                t.start();
                                guessers.add(t);
                            }
                            // long enough for a per-address penalty to have grown to seconds (the old rule's)
                            Thread.sleep(6_000);
                            while (a.on()) {
                                a.answered("right password " + scrapeMillis(second, 2_000, authorization()) + "\r\n");
                                Thread.sleep(500);
                            }
                            for (Thread t : guessers) {
                                t.join(10_000);
                            }
                        }
                    }

                    @Override
                    void checkAnswers(List<String> lines) {
                        List<String> right = lines.stream().filter(l -> l.startsWith("right password "))
                                .map(l -> l.substring("right password ".length())).collect(Collectors.toList());
                        assertTrue(right.size() >= 5, "the right password was tried: " + lines.size());
                        System.out.println("the right password's first tries, in ms: " + right);
                        // its first try ties with the fresh guesses and may be told 429; its second goes ahead of
                        // them, and gets the next check unless the pause after the last one outlasts its wait
                        int firstIn = 0;
                        while (firstIn < right.size() && !right.get(firstIn).matches("\\d+")) {
                            firstIn++;
                        }
                        assertTrue(firstIn <= 2 && right.subList(0, firstIn).stream().allMatch(r -> r.contains(" 429 ")),
                                "the right password in within its first three tries, never 401: " + right);
                        assertTrue(right.subList(firstIn, right.size()).stream().allMatch(r -> r.matches("\\d+")),
                                "and answered with 200 within 2 s every time after: " + right);
                        assertGuessesRefused(lines);
                    }
                }),
                row(new PasswordAttack("8 clients guessing passwords from 600 rotated source addresses", 8, 2_000, false) {
                    @Override
                    double maxCores() {
                        // one budget of checks for the whole agent: a new address buys no check
                        return 0.1;
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        // ~25 guesses a second in all: unchecked, over a core of PBKDF2. In a JVM this young the HTTP
                        // work of each costs the kernel 1-2 ms of CPU on its own (new connection, code not yet
                        // compiled), and scrapes alone ~0.05 core, so a faster flood would measure that instead
                        guess(a, a.url, ROTATED_SOURCES, 300);
                    }

                    @Override
                    void checkAnswers(List<String> lines) {
                        assertGuessesRefused(lines);
                    }
                }),
                row(new Attack("4 pushes of 16 MB at once into a -Xmx256m host holding 120 MB", 4, 2_000, false) {
                    @Override
                    String agentArgs() {
                        return "push-max-bytes=16777216,json-max-bytes=16777216";
                    }

                    @Override
                    List<String> hostSetUp() {
                        return List.of("-Xmx256m");
                    }

                    @Override
                    int holdMegabytes() {
                        return 120;
                    }

                    @Override
                    void checkAnswers(List<String> statusLines) {
                        // the documents were read and refused for their series (400), or turned away while
                        // another was read (429) or while the heap was short (503): never taken, never a crash
                        assertTrue(statusLines.stream().anyMatch(l -> l.contains(" 400 ")),
                                "at least one document was parsed to its refusal: " + statusLines);
                        // 503: given up while the heap still had a reserve (the host's heap is the host's)
                        assertTrue(statusLines.stream().allMatch(l -> l.contains(" 400 ") || l.contains(" 429 ")
                                || l.contains(" 503 ")), statusLines.stream().distinct().collect(Collectors.toList())
                                .toString());
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        byte[] body = bigDocument();
                        while (a.on()) {
                            Socket s = a.connect();
                            try {
                                OutputStream out = s.getOutputStream();
                                out.write(ascii("POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\n"
                                        + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: "
                                        + body.length + "\r\n\r\n"));
                                out.write(body);
                                s.setSoTimeout(30_000);
                                a.answered(readHead(s.getInputStream()));
                            } catch (IOException e) {
                                // refused while another document was parsed: answered 429 and closed unread
                                a.cut();
                            } finally {
                                s.close();
                            }
                        }
                    }
                }),
                // notebook JSON sources (issue 17: files never block the exporter; rendering memory is bounded)
                row(new Attack("af-metrics.json swapped between a file and a FIFO by rename, 4 scrapers", 5, 2_000,
                        false) {
                    final JsonDir files = new JsonDir("{\"swapped\": 0}");

                    @Override
                    String agentArgs() {
                        return files.agentArgs();
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        if (a.index == 0) {
                            files.swapWithFifoUntilStopped(a);
                            return;
                        }
                        while (a.on()) {
                            // every scrape of the 4 within the 2 s the fresh ones get
                            String ms = scrapeMillis(a.url, 2_000, null);
                            if (!ms.matches("\\d+") && a.on()) {
                                throw new IOException("a concurrent scrape: " + ms);
                            }
                        }
                    }

                    @Override
                    void checkAnswers(List<String> statusLines) {
                        files.remove();
                        // after the swapping: a regular file again, the FIFO released, the exporter healthy
                        assertEquals(List.of("HTTP/1.1 200 OK", "HTTP/1.1 200 OK"), statusLines,
                                "/-/healthy and a scrape showing the last file after the attack");
                    }
                }),
                row(new Attack("a 16 MiB document of 20 000 series, an OpenMetrics scrape, 8 parallel name[] scrapes"
                        + " in a -Xmx192m host", 8, 5_000, false) {
                    final JsonDir files = new JsonDir(null);
                    final java.util.concurrent.CountDownLatch openMetricsDone = new java.util.concurrent.CountDownLatch(1);

                    @Override
                    String agentArgs() {
                        files.write(largeSeriesDocument());
                        return files.agentArgs();
                    }

                    @Override
                    List<String> hostSetUp() {
                        return List.of("-Xmx192m");
                    }

                    @Override
                    void run(Attacker a) throws IOException, InterruptedException {
                        if (a.index == 0) {
                            a.answered(fetch(a.url, "/metrics", "Accept: application/openmetrics-text; version=1.0.0"
                                    + "\r\nAccept-Encoding: gzip\r\n"));
                            openMetricsDone.countDown();
                        } else {
                            openMetricsDone.await();
                        }
                        for (int i = 0; a.on(); i++) {
                            a.answered(fetch(a.url, "/metrics?name[]=notebook_series",
                                    (i + a.index) % 2 == 0 ? "Accept-Encoding: gzip\r\n" : ""));
                        }
                        if (a.index == 0) {
                            // no error inside the agent (an OutOfMemoryError would be counted there)
                            Thread.interrupted();
                            for (String line : fetchText(a.url, "/metrics?name[]=afmetrics_internal_errors_total")
                                    .split("\n")) {
                                if (line.startsWith("afmetrics_internal_errors_total{")) {
                                    a.answered("an internal error: " + line + "\r\n");
                                }
                            }
                        }
                    }

                    @Override
                    void checkAnswers(List<String> statusLines) {
                        files.remove();
                        // rendered (200), or refused while another large render was under way (429) or the heap
                        // was short (503): never a crash, never a hang
                        assertTrue(statusLines.stream().anyMatch(l -> l.contains(" 200 ")),
                                "some renders were served: " + statusLines.stream().distinct().collect(Collectors.toList()));
                        assertTrue(statusLines.stream().allMatch(l -> l.contains(" 200 ") || l.contains(" 429 ")
                                || l.contains(" 503 ")), statusLines.stream().distinct().collect(Collectors.toList())
                                .toString());
                    }
                }));
    }

    private static Arguments row(Attack attack) {
        return Arguments.of(attack.name, attack);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void theExporterAnswersAndTheHostIsUntouched(String name, Attack attack) throws Exception {
        ChildJvm child = ChildJvm.main(ScriptedHostMain.class).agent("port=0" + prefixed(attack.agentArgs()));
        attack.hostSetUp().forEach(child::jvmOption);
        child.launcher(attack.launcher());
        try (ChildJvm.Running host = child.start()) {
            URI url = URI.create(host.awaitExporterUrl(WAIT));
            HostDriver.send(host, HOST_WORK);
            host.awaitStdout("working", WAIT);
            if (attack.holdMegabytes() > 0) {
                HostDriver.send(host, "hold " + attack.holdMegabytes());
                host.awaitStdout("holding " + attack.holdMegabytes() + " MB", WAIT);
            }
            String answered = scrapeMillis(url, 10_000, attack.authorization());
            assertTrue(answered.matches("\\d+"), "the first scrape is answered: " + answered);
            // the JDK server's own timer thread and the first exchange thread, before the attack
            Thread.sleep(500);
            int threadsBefore = count(host.pid(), "task");
            int filesBefore = count(host.pid(), "fd");
            List<String> filesBeforeList = files(host.pid());

            List<Attacker> attackers = new ArrayList<>();
            for (int i = 0; i < attack.clients; i++) {
                attackers.add(new Attacker(attack, url, i));
            }
            attackers.forEach(Attacker::start);
            List<String> scrapes = new ArrayList<>();
            int mostFiles = 0;
            double cores;
            try {
                Thread.sleep(1_500);
                long cpuBefore = cpuTicks(host.pid());
                long wallBefore = System.nanoTime();
                long end = System.currentTimeMillis() + ATTACK_MILLIS;
                while (System.currentTimeMillis() < end) {
                    scrapes.add(scrapeMillis(url, attack.budgetMillis, attack.authorization()));
                    mostFiles = Math.max(mostFiles, count(host.pid(), "fd"));
                    Thread.sleep(500);
                }
                cores = (cpuTicks(host.pid()) - cpuBefore) / 100.0 / ((System.nanoTime() - wallBefore) / 1e9);
            } finally {
                attackers.forEach(Attacker::stop);
            }
            assertTrue(cores <= attack.maxCores(), "the host burned " + cores + " cores while attacked");
            assertTrue(mostFiles <= attack.maxHostFiles(), "the host had " + mostFiles + " files open while attacked");
            for (Attacker a : attackers) {
                a.join();
            }
            for (String ms : scrapes) {
                assertTrue(ms.matches("\\d+"), "every fresh scrape answered within " + attack.budgetMillis + " ms: "
                        + scrapes + "; the agent counted " + agentCounters(url, attack.authorization()));
            }
            List<String> failed = attackers.stream().filter(a -> a.error != null)
                    .map(a -> a.error.toString()).distinct().collect(Collectors.toList());
            assertEquals(List.of(), failed, "the attackers themselves ran as meant; the agent counted "
                    + agentCounters(url, attack.authorization()));
            if (attack.serverMustCut) {
                for (Attacker a : attackers) {
                    assertTrue(a.cuts.get() > 0, "attacker " + a.index + "'s connection was closed by the server");
                }
            }
            List<String> answers = attackers.stream().flatMap(a -> a.answers.stream()).collect(Collectors.toList());
            attack.checkAnswers(answers);
            awaitAtMost(host.pid(), "task", threadsBefore);
            awaitAtMost(host.pid(), "fd", filesBefore, filesBeforeList);

            for (String line : HOST_SCRIPT) {
                HostDriver.send(host, line);
            }
            assertEquals(baselineExit, host.awaitExit(WAIT));
            List<String> out = new ArrayList<>(Arrays.asList(host.stdout().split("\n")));
            out.removeIf(l -> l.startsWith("holding "));
            assertEquals(baselineStdout, out, "the host's output is its own");
            assertEquals(List.of(), HostDriver.hostStderr(host), "nothing but the agent's own lines on stderr");
            for (String line : HostDriver.agentLines(host)) {
                assertTrue(!line.contains("Exception") && !line.contains("Error"), "no error of the agent: " + line);
            }
        }
    }

    /** TIME_WAIT entries the other user leaves: the kernel keeps at most 131 072 (tcp_max_tw_buckets). */
    private static final int SOCKET_TABLE_FILL = 120_000;
    /** 600 loopback source addresses, 127.0.1.1 to 127.0.3.100. */
    private static final int ROTATED_SOURCES = 600;

    /** Every guess refused: 401 once checked (or known wrong), 429 when not checked, the budget being taken. */
    private static void assertGuessesRefused(List<String> lines) {
        List<String> statuses = lines.stream().filter(l -> l.startsWith("HTTP/")).collect(Collectors.toList());
        assertTrue(!statuses.isEmpty() && statuses.stream().allMatch(l -> l.contains(" 401 ") || l.contains(" 429 ")),
                "every guess refused: " + statuses.stream().distinct().collect(Collectors.toList()));
    }

    /**
     * Fresh wrong passwords (each thread its own), one every {@code pauseMillis} plus the answer's time, from the
     * default address or rotated over {@code sources} addresses.
     */
    private static void guess(Attacker a, URI url, Integer sources, long pauseMillis)
            throws IOException, InterruptedException {
        for (int i = 0; a.on(); i++) {
            Socket s = new Socket();
            try {
                if (sources != null) {
                    int n = (a.index * 7_919 + i) % sources;
                    s.bind(new InetSocketAddress("127.0." + (1 + n / 250) + "." + (1 + n % 250), 0));
                }
                s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
                s.getOutputStream().write(ascii("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                        + "Authorization: " + basic("prom:guess-" + Thread.currentThread().getName() + "-" + i + "-"
                        + url.getPort()) + "\r\n\r\n"));
                s.setSoTimeout(10_000);
                a.answered(readHead(s.getInputStream()));
            } finally {
                s.close();
            }
            Thread.sleep(pauseMillis);
        }
    }

    /** One push by the kernel's own user (this test's): {@code owner push N: STATUS in MS ms}. */
    private static String ownerPush(URI url, int n) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
            s.setSoTimeout(5_000);
            byte[] body = ascii("{\"owner_value\": " + n + "}");
            s.getOutputStream().write(ascii("POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n"));
            s.getOutputStream().write(body);
            String head = readHead(s.getInputStream());
            return "owner push " + n + ": " + head.substring(9, 12) + " in " + (System.nanoTime() - start) / 1_000_000
                    + " ms";
        } catch (IOException e) {
            return "owner push " + n + ": failed after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + e;
        }
    }

    private static long millisOf(String ownerPush) {
        String[] w = ownerPush.split(" ");
        return Long.parseLong(w[w.length - 2]);
    }

    /**
     * The other local user's load ({@link org.afmetrics.testing.apps.OtherUserLoad}) in a JVM run as that
     * user: its class copied where that user can read it.
     */
    static final class OtherUserLoad {
        private final Process process;
        private final Path out;

        private OtherUserLoad(Process process, Path out) {
            this.process = process;
            this.out = out;
        }

        static OtherUserLoad start(int fill, int threads) throws IOException {
            String user;
            try {
                user = OtherUsersIT.otherUser();
            } catch (Exception e) {
                throw new IOException("no second local user: " + e, e);
            }
            Path dir = Files.createTempDirectory("other-user-load",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Class<?> app = org.afmetrics.testing.apps.OtherUserLoad.class;
            Path classes = dir.resolve(app.getPackageName().replace('.', '/'));
            Files.createDirectories(classes);
            for (Path d = classes; !d.equals(dir); d = d.getParent()) {
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Path compiled;
            try {
                compiled = Paths.get(app.getProtectionDomain().getCodeSource().getLocation().toURI())
                        .resolve(app.getPackageName().replace('.', '/'));
            } catch (java.net.URISyntaxException e) {
                throw new IOException(e);
            }
            try (Stream<Path> files = Files.list(compiled)) {
                for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString()
                        .startsWith(app.getSimpleName()))::iterator) {
                    Path copy = classes.resolve(f.getFileName().toString());
                    Files.copy(f, copy);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
            Path out = Files.createTempFile("other-user-load", ".out");
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder("runuser", "-u", user, "--", java, "-Xmx64m",
                    "-Djava.net.preferIPv4Stack=true", "-cp", dir.toString(), app.getName(),
                    Integer.toString(fill), Integer.toString(threads))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            return new OtherUserLoad(p, out);
        }

        /** Waits for the filler: {@code table N}, the entries in the socket tables then. */
        String awaitFilled() throws IOException, InterruptedException {
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                for (String line : Files.readAllLines(out)) {
                    if (line.startsWith("table ")) {
                        return line;
                    }
                }
                if (!process.isAlive()) {
                    throw new IOException("the other user's load ended: " + Files.readString(out));
                }
                Thread.sleep(100);
            }
            throw new IOException("the socket table was not filled in 60 s: " + Files.readString(out));
        }

        /** Starts the pushers, at the exporter on this loopback port. */
        void pushTo(int port) throws IOException {
            process.getOutputStream().write(ascii(port + "\n"));
            process.getOutputStream().flush();
        }

        /** Stops the pushers: {@code answers STATUS=COUNT ...}, or what the process printed. */
        String stop() throws IOException {
            boolean interrupted = Thread.interrupted();
            try {
                process.getOutputStream().close();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                for (String line : Files.readAllLines(out)) {
                    if (line.startsWith("answers")) {
                        return line;
                    }
                }
                return "no answers line: " + Files.readString(out);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                return "interrupted";
            } finally {
                Files.deleteIfExists(out);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The agent's own counters of cut connections and internal errors, for a failure's message. */
    private static String agentCounters(URI url, String authorization) {
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(ascii("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n"));
            return Arrays.stream(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n"))
                    .filter(l -> l.startsWith("afmetrics_http_exchanges_cut_off_total")
                            || l.startsWith("afmetrics_internal_errors_total"))
                    .collect(Collectors.joining("; "));
        } catch (IOException e) {
            return "(no answer: " + e + ")";
        }
    }

    /** User plus system CPU of the process, in clock ticks (USER_HZ, 100 on Linux). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static final String PASSWORD = "correct horse battery staple";
    private static final String HASH = hash(PASSWORD);

    private static String hash(String password) {
        try {
            return org.afmetrics.exporter.PasswordHash.create(password.toCharArray());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String basic(String userColonPassword) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    private static String prefixed(String args) {
        return args.isEmpty() ? "" : "," + args;
    }

    /** How long a fresh scrape took in ms, or why it was not answered with 200 within the budget. */
    private static String scrapeMillis(URI url, long budgetMillis, String authorization) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(url.getHost(), url.getPort()), (int) budgetMillis);
            s.setSoTimeout((int) budgetMillis);
            s.getOutputStream().write(ascii("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n"));
            byte[] all = s.getInputStream().readAllBytes();
            long ms = (System.nanoTime() - start) / 1_000_000;
            String text = new String(all, StandardCharsets.UTF_8);
            if (ms > budgetMillis) {
                return "late: " + ms + " ms";
            }
            if (!text.startsWith("HTTP/1.1 200") || !text.contains("afmetrics_agent_info")) {
                return "answered: " + text.substring(0, Math.min(80, text.length())).replace("\r\n", " | ");
            }
            return Long.toString(ms);
        } catch (IOException e) {
            return "failed after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + e;
        }
    }

    /**
     * The host's open files, or its threads other than those the JVM itself adds and removes with
     * load (garbage collector, JIT compiler, the attach listener another tool on the machine may wake).
     */
    private static int count(long pid, String what) {
        String[] entries = Paths.get("/proc", Long.toString(pid), what).toFile().list();
        if (entries == null) {
            return -1;
        }
        if (!what.equals("task")) {
            // UNIX sockets are the JDK's own (NIO keeps one to close channels with): only TCP reaches a client
            Set<String> unix = unixSocketInodes(pid);
            int n = 0;
            for (String fd : entries) {
                try {
                    String target = Files.readSymbolicLink(Paths.get("/proc", Long.toString(pid), "fd", fd)).toString();
                    n += unix.contains(target) ? 0 : 1;
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
            return n;
        }
        int n = 0;
        for (String t : entries) {
            String name;
            try {
                name = Files.readString(Paths.get("/proc", Long.toString(pid), "task", t, "comm")).trim();
            } catch (IOException e) {
                continue; // ended meanwhile
            }
            if (!JVM_OWN.matcher(name).lookingAt()) {
                n++;
            }
        }
        return n;
    }

    /** {@code socket:[INODE]} of every UNIX socket in the process's network namespace. */
    private static Set<String> unixSocketInodes(long pid) {
        Set<String> inodes = new HashSet<>();
        try {
            List<String> lines = Files.readAllLines(Paths.get("/proc", Long.toString(pid), "net", "unix"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 6) {
                    inodes.add("socket:[" + f[6] + "]");
                }
            }
        } catch (IOException e) {
            // no table: every socket counts
        }
        return inodes;
    }

    private static final java.util.regex.Pattern JVM_OWN =
            java.util.regex.Pattern.compile("G1 |GC Thread|C1 Compiler|C2 Compiler|Attach Listener");

    /** What the host's file descriptors point at. */
    private static List<String> files(long pid) {
        String[] fds = Paths.get("/proc", Long.toString(pid), "fd").toFile().list();
        List<String> out = new ArrayList<>();
        for (String fd : fds == null ? new String[0] : fds) {
            try {
                out.add(fd + " -> " + Files.readSymbolicLink(Paths.get("/proc", Long.toString(pid), "fd", fd)));
            } catch (IOException e) {
                // closed meanwhile
            }
        }
        return out;
    }

    private static void awaitAtMost(long pid, String what, int before, List<String> beforeList) throws Exception {
        try {
            awaitAtMost(pid, what, before);
        } catch (AssertionError e) {
            List<String> now = files(pid);
            now.removeAll(beforeList);
            throw new AssertionError(e.getMessage() + "; new: " + now + ", before: " + beforeList, e);
        }
    }

    /** Waits until the host has no more threads (or files) than before the attack; fails with what it has. */
    private static void awaitAtMost(long pid, String what, int before) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        int now = count(pid, what);
        while (now > before && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            now = count(pid, what);
        }
        String detail = what.equals("task") ? threadNames(pid) : "";
        assertTrue(now <= before, "the host's " + what + " count went from " + before + " to " + now
                + " after the attackers left " + detail);
    }

    private static String threadNames(long pid) {
        String[] tasks = Paths.get("/proc", Long.toString(pid), "task").toFile().list();
        if (tasks == null) {
            return "";
        }
        List<String> names = new ArrayList<>();
        for (String t : tasks) {
            try {
                names.add(Files.readString(Paths.get("/proc", Long.toString(pid), "task", t, "comm")).trim());
            } catch (IOException e) {
                // the thread ended meanwhile
            }
        }
        Collections.sort(names);
        return names.toString();
    }

    private static final String[] MALFORMED = {
        "POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 7\r\nContent-Length: 9\r\n\r\n{\"a\":1}",
        "POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: +7\r\n\r\n{\"a\":1}",
        "POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length : 7\r\n\r\n{\"a\":1}",
        "POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        "POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n",
        "GET /metrics\r\n\r\n",
        "\u0000\u0001\u0002 garbage\r\n\r\n",
    };

    private static String slowPushHead() {
        return "POST /notebook-metrics HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100000\r\n\r\n";
    }

    private static volatile byte[] bigDocument;

    /** 15.9 MB of JSON with 950 000 fields: within a 16 MiB limit, far over any series limit. */
    private static synchronized byte[] bigDocument() {
        if (bigDocument == null) {
            StringBuilder sb = new StringBuilder(16_000_000).append('{');
            for (int i = 0; i < 950_000; i++) {
                sb.append(i == 0 ? "" : ",").append("\"s").append(i).append("\":").append(i % 10);
            }
            while (sb.length() < 15_900_000) {
                sb.append(' ');
            }
            bigDocument = sb.append('}').toString().getBytes(StandardCharsets.US_ASCII);
        }
        return bigDocument;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Reads a response head, failing when the connection ends first. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            sb.append((char) c);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                return sb.toString();
            }
        }
        throw new IOException("closed before a full response head: " + sb);
    }

    /** An attack on an agent whose metrics need the basic-auth password of a hashed credential; the fresh scrapes send it. */
    abstract static class PasswordAttack extends Attack {
        PasswordAttack(String name, int clients, long budgetMillis, boolean serverMustCut) {
            super(name, clients, budgetMillis, serverMustCut);
        }

        @Override
        String agentArgs() {
            return "auth-user=prom,auth-password-hash=" + HASH;
        }

        @Override
        String authorization() {
            return basic("prom:" + PASSWORD);
        }
    }

    /** One attack: how many clients, what each does, the scrape budget, whether the server must cut them. */
    abstract static class Attack {
        final String name;
        final int clients;
        final long budgetMillis;
        final boolean serverMustCut;

        Attack(String name, int clients, long budgetMillis, boolean serverMustCut) {
            this.name = name;
            this.clients = clients;
            this.budgetMillis = budgetMillis;
            this.serverMustCut = serverMustCut;
        }

        abstract void run(Attacker a) throws IOException, InterruptedException;

        String agentArgs() {
            return "";
        }

        List<String> hostSetUp() {
            return List.of();
        }

        /** The attackers' socket receive buffer (a non-reader's tiny one fills at once), or 0 for the system's. */
        int receiveBufferBytes() {
            return 0;
        }

        /** A command that runs the host JVM (a limit set on it), or none. */
        List<String> launcher() {
            return List.of();
        }

        int holdMegabytes() {
            return 0;
        }

        /** The scrapes' {@code Authorization} header, when the agent asks for one. */
        String authorization() {
            return null;
        }

        /** At most this many open files may the host have while attacked, where that is what the attack is about. */
        int maxHostFiles() {
            return Integer.MAX_VALUE;
        }

        /** At most this much CPU (cores) may the host burn while attacked, where that is what the attack is about. */
        double maxCores() {
            return Double.MAX_VALUE;
        }

        /** What the attackers' answers must show, where the attack reads any. */
        void checkAnswers(List<String> statusLines) {
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** One attacking client on a thread of its own, until stopped; it notes each connection the server closed. */
    static final class Attacker {
        final Attack attack;
        final URI url;
        final int index;
        final AtomicInteger cuts = new AtomicInteger();
        /** Status lines of the answers the attacker read, where it reads any. */
        final List<String> answers = new CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean on = true;
        volatile Throwable error;

        Attacker(Attack attack, URI url, int index) {
            this.attack = attack;
            this.url = url;
            this.index = index;
            this.thread = new Thread(this::loop, "attacker-" + index);
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            try {
                attack.run(this);
            } catch (IOException e) {
                if (on) {
                    error = e;
                }
            } catch (InterruptedException e) {
                // stopped
            } catch (Throwable t) {
                error = t;
            }
        }

        void answered(String head) {
            answers.add(head.substring(0, head.indexOf('\r')));
        }

        boolean on() {
            return on;
        }

        void cut() {
            if (on) {
                cuts.incrementAndGet();
            }
        }

        Socket connect() throws IOException {
            Socket s = new Socket();
            if (attack.receiveBufferBytes() > 0) {
                s.setReceiveBufferSize(attack.receiveBufferBytes());
            }
            s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
            sockets.add(s);
            return s;
        }

        /**
         * Opens {@code keep} connections as fast as it can, each sending {@code first} (or nothing),
         * then goes on replacing the oldest with a new one, up to a thousand a second, until stopped;
         * a replaced connection the server had closed counts as cut.
         */
        void flood(int keep, byte[] first) throws IOException, InterruptedException {
            java.util.ArrayDeque<Socket> held = new java.util.ArrayDeque<>();
            try {
                while (on) {
                    if (held.size() >= keep) {
                        Socket oldest = held.poll();
                        if (closedByServer(oldest)) {
                            cut();
                        }
                        oldest.close();
                        Thread.sleep(1);
                    }
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
                    if (first != null) {
                        s.getOutputStream().write(first);
                    }
                    held.add(s);
                }
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }

        private static boolean closedByServer(Socket s) {
            try {
                s.setSoTimeout(1);
                return s.getInputStream().read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        /** Closes a connection the attacker is done with (the server cut it), so the attacker keeps no descriptor of it. */
        void release(Socket s) throws IOException {
            s.close();
            sockets.remove(s);
        }

        /** Keeps the connection open, unused, until stopped. */
        void hold(Socket s) throws InterruptedException {
            while (on) {
                Thread.sleep(100);
            }
        }

        /** Sends the text a byte at a time, one per interval, noticing when the server closes the connection. */
        void dribble(Socket s, String text, int intervalMillis) throws IOException {
            s.setSoTimeout(intervalMillis);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            try {
                for (int i = 0; i < text.length() && on; i++) {
                    out.write(text.charAt(i));
                    out.flush();
                    try {
                        if (in.read() < 0) {
                            cut();
                            return;
                        }
                    } catch (SocketTimeoutException e) {
                        // the server still waits for more: go on
                    }
                }
            } catch (IOException e) {
                cut();
            } finally {
                s.close();
                sockets.remove(s);
            }
        }

        /** Pipelines scrapes on a connection with a tiny receive buffer and never reads the answers. */
        void neverRead() throws IOException {
            Socket s = connect();
            byte[] requests = ascii("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n".repeat(50));
            try {
                OutputStream out = s.getOutputStream();
                while (on) {
                    out.write(requests);
                    out.flush();
                }
            } catch (IOException e) {
                cut();
            } finally {
                s.close();
                sockets.remove(s);
            }
        }

        /** Reads until the server closes the connection, which it must do within the socket's timeout. */
        void awaitClosed(Socket s) throws IOException {
            try (InputStream in = s.getInputStream()) {
                while (in.read() >= 0) {
                    // the refusal, then the end
                }
                cut();
            } catch (SocketTimeoutException e) {
                throw new IOException("the server kept a connection open after refusing its request");
            } catch (IOException e) {
                cut();
            } finally {
                s.close();
                sockets.remove(s);
            }
        }

        void stop() {
            on = false;
            thread.interrupt();
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }

        void join() throws InterruptedException {
            thread.join(10_000);
        }
    }

    /**
     * A directory of its own holding the row's {@code af-metrics.json}, named to the agent with
     * {@code json=}; for the swap row also a FIFO, linked into the JSON's place and back out.
     */
    static final class JsonDir {
        private final String first;
        private java.nio.file.Path dir;

        JsonDir(String first) {
            this.first = first;
        }

        private synchronized java.nio.file.Path dir() {
            if (dir == null) {
                try {
                    dir = Files.createTempDirectory("af-attack-json-");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return dir;
        }

        java.nio.file.Path json() {
            return dir().resolve("af-metrics.json");
        }

        String agentArgs() {
            if (first != null && !Files.exists(json())) {
                write(first.getBytes(StandardCharsets.UTF_8));
            }
            return "json=" + json();
        }

        /** Written whole and renamed into place. */
        void write(byte[] bytes) {
            try {
                java.nio.file.Path tmp = dir().resolve("af-metrics.json.tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, json(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /**
         * {@code mv reg af-metrics.json; mv fifo af-metrics.json} in a loop until stopped: a new
         * regular file, then a hard link of one FIFO, each renamed over the JSON. Then a regular
         * file again, the FIFO opened for writing (which releases any reader parked in its open,
         * as a notebook writing to it would) and the exporter asked for its health and a scrape.
         */
        void swapWithFifoUntilStopped(Attacker a) throws IOException, InterruptedException {
            java.nio.file.Path fifo = dir().resolve("kept.fifo");
            Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            if (mkfifo.waitFor() != 0) {
                throw new IOException("mkfifo failed");
            }
            java.nio.file.Path link = dir().resolve("fifo.tmp");
            int i = 0;
            boolean interruptTaken = false;
            try {
                while (a.on()) {
                    write(("{\"swapped\": " + ++i + "}").getBytes(StandardCharsets.UTF_8));
                    Thread.sleep(2);
                    Files.createLink(link, fifo);
                    Files.move(link, json(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    Thread.sleep(2);
                }
            } catch (InterruptedException e) {
                interruptTaken = true;
                if (a.on()) {
                    throw new IOException("swapping the file: " + e, e);
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                if (a.on()) {
                    throw new IOException("swapping the file: " + e, e);
                }
                // stopped, maybe in the middle of a write
            }
            // stop() interrupts this thread just after turning it off: take that interrupt now, or
            // it may land in a wait below and end the checks unanswered
            long until = System.nanoTime() + 10_000_000_000L;
            while (!interruptTaken && !Thread.interrupted() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            Thread.interrupted();
            // what goes wrong from here is an answer, not an attacker's error the stop would hide
            try {
                Files.deleteIfExists(link);
                write("{\"swapped\": -1}".getBytes(StandardCharsets.UTF_8));
                releaseReaders(fifo);
                a.answered(fetch(a.url, "/-/healthy", ""));
                // the last file is read within a few scrapes once the parked open has returned
                String last = "";
                for (int n = 0; n < 20 && !last.contains("notebook_swapped{"); n++) {
                    last = fetchText(a.url, "/metrics");
                    Thread.sleep(200);
                }
                int at = last.indexOf("notebook_swapped{");
                if (!last.contains("reason=\"unreadable\"")) {
                    a.answered("the FIFO was never counted as unreadable\r\n");
                }
                a.answered(at >= 0 && last.substring(at, last.indexOf('\n', at)).endsWith(" -1.0") ? "HTTP/1.1 200 OK\r\n"
                        : "the last file was not read: " + (at < 0 ? "no series" : last.substring(at, last.indexOf('\n', at)))
                        + "\r\n");
            } catch (IOException | java.io.UncheckedIOException e) {
                a.answered("the checks after the attack failed: " + e + "\r\n");
            }
        }

        /** Opens the FIFO for writing and for reading at once: every open of it returns. */
        private static void releaseReaders(java.nio.file.Path fifo) throws IOException, InterruptedException {
            Thread writer = new Thread(() -> {
                try {
                    new java.io.FileOutputStream(fifo.toFile()).close();
                } catch (IOException e) {
                    // the reader below is the test's own: it is there
                }
            }, "fifo-writer");
            writer.setDaemon(true);
            writer.start();
            new java.io.FileInputStream(fifo.toFile()).close();
            writer.join(10_000);
        }

        void remove() {
            try (Stream<java.nio.file.Path> all = Files.list(dir())) {
                for (java.nio.file.Path p : all.collect(Collectors.toList())) {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(dir());
            } catch (IOException e) {
                // a temporary directory
            }
        }
    }

    /** The status line of a GET (Connection: close), its body read to the end. */
    private static String fetch(URI url, String path, String headers) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(ascii("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + headers + "\r\n"));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            in.transferTo(OutputStream.nullOutputStream());
            return head;
        }
    }

    private static String fetchText(URI url, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(ascii("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Just under 16 MiB of JSON: one family of 20 000 series (json-max-series) with four labels of
     * about 190 characters each, some 18 MB of exposition once the identity labels are added.
     */
    private static byte[] largeSeriesDocument() {
        StringBuilder sb = new StringBuilder(16_800_000).append("{\"metrics\":[");
        String pad = "x".repeat(180);
        for (int i = 0; i < 20_000; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"name\":\"series\",\"value\":").append(i).append(",\"labels\":{");
            for (int l = 0; l < 4; l++) {
                sb.append(l == 0 ? "" : ",").append("\"l").append(l).append("\":\"").append(i).append('_').append(l)
                        .append(pad).append('"');
            }
            sb.append("}}");
        }
        byte[] doc = sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
        if (doc.length > 16 * 1024 * 1024) {
            throw new IllegalStateException("the document is over json-max-bytes: " + doc.length);
        }
        return doc;
    }
}
