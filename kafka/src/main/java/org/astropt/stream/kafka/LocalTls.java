package org.astropt.stream.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for a TLS listener on this machine, made with the JDK's keytool (no network, no extra
 * library): a self-signed CA, a broker key pair for {@code localhost} signed by it (in a PKCS12 keystore), and
 * a PKCS12 truststore holding only the CA, which clients name in {@code kafka.ssl.truststore.location}.
 * For the secured tests and a local secured broker ({@link LocalKafkaBroker#startSecured}); a real broker's
 * certificates come from its operator.
 *
 * <pre>{@code
 * LocalTls tls = LocalTls.create(dir, "changeit");   // dir/broker.p12, dir/truststore.p12
 * }</pre>
 */
public record LocalTls(Path keystore, Path truststore, String password) {

    /** The store type of both files, for {@code ssl.keystore.type} and {@code ssl.truststore.type}. */
    public static final String STORE_TYPE = "PKCS12";

    /** Makes the CA, the broker keystore and the truststore in dir (about 2 s: six keytool runs). */
    public static LocalTls create(Path dir, String password) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path ca = dir.resolve("ca.p12");
        Path caCert = dir.resolve("ca.pem");
        Path broker = dir.resolve("broker.p12");
        Path request = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.pem");
        Path trust = dir.resolve("truststore.p12");
        String[] store = {"-storetype", STORE_TYPE, "-storepass", password, "-keypass", password};
        keytool(store, "-genkeypair", "-keystore", ca.toString(), "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=astropt-stream local CA", "-ext", "bc:c", "-validity", "30");
        keytool(store, "-exportcert", "-rfc", "-keystore", ca.toString(), "-alias", "ca", "-file", caCert.toString());
        keytool(store, "-genkeypair", "-keystore", broker.toString(), "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=localhost", "-validity", "30");
        keytool(store, "-certreq", "-keystore", broker.toString(), "-alias", "broker", "-file", request.toString());
        keytool(store, "-gencert", "-rfc", "-keystore", ca.toString(), "-alias", "ca", "-infile", request.toString(),
                "-outfile", signed.toString(), "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "30");
        keytool(store, "-importcert", "-noprompt", "-keystore", broker.toString(), "-alias", "ca", "-file", caCert.toString());
        keytool(store, "-importcert", "-noprompt", "-keystore", broker.toString(), "-alias", "broker", "-file", signed.toString());
        keytool(store, "-importcert", "-noprompt", "-keystore", trust.toString(), "-alias", "ca", "-file", caCert.toString());
        return new LocalTls(broker, trust, password);
    }

    private static void keytool(String[] store, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of(store));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8).trim());
        }
    }
}
