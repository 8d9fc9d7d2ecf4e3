package org.astropt.stream.app;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink standalone session cluster started the way the distribution's bin/jobmanager.sh and
 * bin/taskmanager.sh start one, from a lib/ folder of jars instead of a Flink download (Maven Central
 * serves no flink-dist): one JobManager JVM (StandaloneSessionClusterEntrypoint), one TaskManager JVM
 * (TaskManagerRunner), their memory flags from BashJavaUtils, and the `flink` command line
 * (CliFrontend) as a third process for each call. Logs go to logs/jobmanager.log, taskmanager.log and
 * client.log.
 */
final class StandaloneFlinkCluster implements AutoCloseable {

    /** What the distribution's config.yaml puts in env.java.default-opts.all so Flink runs on Java 17. */
    static final List<String> JAVA17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern JOB_ID = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");

    private final Path lib;
    private final Path conf;
    private final Path logs;
    private final int restPort;
    private final Map<String, String> env;
    private final List<Process> processes = new ArrayList<>();

    private StandaloneFlinkCluster(Path lib, Path conf, Path logs, int restPort, Map<String, String> env) {
        this.lib = lib;
        this.conf = conf;
        this.logs = logs;
        this.restPort = restPort;
        this.env = env;
    }

    /**
     * Writes conf/ (the project's Flink settings plus this machine's addresses, ports and memory sizes),
     * starts the JobManager and the TaskManager and waits until the TaskManager has registered.
     *
     * @param projectConfig config/flink/config.yaml, taken as it is
     * @param env environment of the TaskManager (DJL_CACHE_DIR, ...)
     */
    static StandaloneFlinkCluster start(Path lib, Path projectConfig, Path workDir, Map<String, String> env)
            throws IOException, InterruptedException {
        Path conf = Files.createDirectories(workDir.resolve("conf"));
        Path logs = Files.createDirectories(workDir.resolve("logs"));
        int restPort = freePort();
        String project = Files.readString(projectConfig);
        Files.writeString(conf.resolve("config.yaml"), project + "\n# This machine (StandaloneFlinkCluster)\n"
                + "jobmanager.rpc.address: localhost\njobmanager.bind-host: localhost\njobmanager.rpc.port: " + freePort() + "\n"
                + "taskmanager.host: localhost\ntaskmanager.bind-host: localhost\n"
                + "rest.address: localhost\nrest.bind-address: localhost\nrest.port: " + restPort + "\n"
                // Small JVMs: the build machine has two cores and runs other builds; the model is tiny.
                + "jobmanager.memory.process.size: 1000m\ntaskmanager.memory.process.size: 1600m\n"
                + "taskmanager.memory.managed.fraction: 0.05\n"
                + "io.tmp.dirs: " + Files.createDirectories(workDir.resolve("tmp")) + "\n");
        Files.writeString(conf.resolve("log4j.properties"), """
                rootLogger.level = INFO
                rootLogger.appenderRef.file.ref = File
                # DJL names every native library it loads at DEBUG: the restart check counts them.
                logger.djl.name = ai.djl
                logger.djl.level = DEBUG
                appender.file.name = File
                appender.file.type = File
                appender.file.fileName = ${sys:log.file}
                appender.file.layout.type = PatternLayout
                appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c - %m%n
                """);
        StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(lib, conf, logs, restPort, env);
        try {
            cluster.startProcess("jobmanager", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                    "GET_JM_RESOURCE_PARAMS", List.of());
            String tmOpts = settingOf(project, "env.java.opts.taskmanager");
            cluster.startProcess("taskmanager", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                    "GET_TM_RESOURCE_PARAMS", tmOpts.isEmpty() ? List.of() : List.of(tmOpts.split("\\s+")));
            cluster.awaitTaskManagers(1, Duration.ofSeconds(60));
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** `flink ARGS`; its output, or an exception with the output when it exits non-zero. */
    String flink(String... args) throws IOException, InterruptedException {
        List<String> cmd = java("client");
        cmd.add("org.apache.flink.client.cli.CliFrontend");
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("flink " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    /** `flink run -d ...` and the id of the submitted job. */
    String submit(String... runArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        args.addAll(Arrays.asList(runArgs));
        String out = flink(args.toArray(String[]::new));
        Matcher m = JOB_ID.matcher(out);
        if (!m.find()) throw new IllegalStateException("no job id in the output of flink run:\n" + out);
        return m.group(1);
    }

    /** Waits until every task of the job runs (so its Kafka sources have started). */
    void awaitRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
        Pattern allRunning = Pattern.compile("\"state\":\"RUNNING\".*\"tasks\":\\{\"running\":(\\d+).*\"total\":(\\d+)");
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = rest("/jobs/overview");
            for (String job : last.split("\\{\"jid\":")) {
                Matcher m = allRunning.matcher(job);
                if (job.startsWith("\"" + jobId) && m.find() && m.group(1).equals(m.group(2))) return;
                if (job.startsWith("\"" + jobId) && job.contains("\"state\":\"FAILED\"")) {
                    throw new IllegalStateException("job " + jobId + " failed; see " + logs);
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("job " + jobId + " not running after " + timeout + ": " + last);
    }

    Path taskManagerLog() { return logs.resolve("taskmanager.log"); }

    Path logs() { return logs; }

    @Override
    public void close() {
        for (Process p : reversed(processes)) {
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<Process> reversed(List<Process> list) {
        List<Process> r = new ArrayList<>(list);
        java.util.Collections.reverse(r);
        return r;
    }

    private void startProcess(String role, String mainClass, String resourceCommand, List<String> opts)
            throws IOException, InterruptedException {
        // As bin/taskmanager.sh: BashJavaUtils turns the memory settings into JVM flags (line 1) and
        // the derived sizes the process must be started with (line 2, "-D key=value" pairs).
        List<String> params = bashJavaUtils(resourceCommand);
        List<String> cmd = java(role);
        cmd.addAll(1, List.of(params.get(0).split("\\s+")));
        cmd.addAll(1, opts);
        cmd.add(mainClass);
        cmd.addAll(List.of("--configDir", conf.toString()));
        cmd.addAll(List.of(params.get(1).trim().split("\\s+")));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logs.resolve(role + ".out").toFile());
        pb.environment().putAll(env);
        processes.add(pb.start());
    }

    private List<String> bashJavaUtils(String command) throws IOException, InterruptedException {
        List<String> cmd = java("bash-java-utils");
        cmd.addAll(List.of("org.apache.flink.runtime.util.bash.BashJavaUtils", command, "--configDir", conf.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        List<String> results = out.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length())).toList();
        if (p.exitValue() != 0 || results.size() != 2) throw new IllegalStateException("BashJavaUtils " + command + ":\n" + out);
        return results;
    }

    /** java [Java 17 opts] -Dlog.file=... -cp lib/*: the command line every Flink process starts with. */
    private List<String> java(String role) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(JAVA17_OPTS);
        cmd.add("-Dlog.file=" + logs.resolve(role + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        cmd.addAll(List.of("-cp", lib.resolve("*").toString()));
        return cmd;
    }

    private void awaitTaskManagers(int n, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) throw new IllegalStateException("a Flink process exited at start; see " + logs);
            }
            try {
                String body = rest("/taskmanagers");
                if (body.split("\"slotsNumber\"", -1).length - 1 >= n) return;
            } catch (IOException notUpYet) {
                // the REST endpoint opens a few seconds after the JobManager starts
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(n + " TaskManager(s) not registered after " + timeout + "; see " + logs);
    }

    private String rest(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A flat key's value in a config.yaml ("key: value" on one line), or "" when absent. */
    static String settingOf(String yaml, String key) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + ":\\s*(.*?)\\s*$").matcher(yaml);
        return m.find() ? m.group(1) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
