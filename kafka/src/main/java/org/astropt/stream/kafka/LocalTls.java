package org.astropt.stream.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
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
 * LocalTls tls = LocalTls.create(dir, "changeit");   // dir/broker.p12, dir/truststore.p12 (PKCS12)
 * }</pre>
 */
public record LocalTls(Path keystore, Path truststore, String password) {

    /** The store type of both files, for {@code ssl.keystore.type} and {@code ssl.truststore.type}. */
    public static final String STORE_TYPE = "PKCS12";

    /**
     * Makes the CA, the broker keystore and the truststore in dir: four keytool runs (the two key pairs at once,
     * then the broker's certificate request and its signing by the CA, which the JDK has no public API for); the
     * stores are assembled with the JDK's KeyStore API. EC P-256 keys, valid 30 days.
     */
    public static LocalTls create(Path dir, String password) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path ca = dir.resolve("ca.p12");
        Path broker = dir.resolve("broker.p12");
        Path request = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.pem");
        Path trust = dir.resolve("truststore.p12");
        Process caKeys = keytool(password, "-genkeypair", "-keystore", ca.toString(), "-alias", "ca", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=astropt-stream local CA", "-ext", "bc:c", "-validity", "30");
        Process brokerKeys = keytool(password, "-genkeypair", "-keystore", broker.toString(), "-alias", "broker", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "30");
        await(caKeys, "-genkeypair (CA)");
        await(brokerKeys, "-genkeypair (broker)");
        await(keytool(password, "-certreq", "-keystore", broker.toString(), "-alias", "broker", "-file", request.toString()), "-certreq");
        await(keytool(password, "-gencert", "-rfc", "-keystore", ca.toString(), "-alias", "ca", "-infile", request.toString(),
                "-outfile", signed.toString(), "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "30"), "-gencert");
        try {
            char[] pw = password.toCharArray();
            Certificate caCert = load(ca, pw).getCertificate("ca");
            Certificate brokerCert;
            try (InputStream in = Files.newInputStream(signed)) {
                brokerCert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            KeyStore brokerStore = load(broker, pw);
            Key key = brokerStore.getKey("broker", pw);
            brokerStore.setKeyEntry("broker", key, pw, new Certificate[] {brokerCert, caCert});
            store(brokerStore, broker, pw);
            KeyStore trustStore = KeyStore.getInstance(STORE_TYPE);
            trustStore.load(null, pw);
            trustStore.setCertificateEntry("ca", caCert);
            store(trustStore, trust, pw);
        } catch (GeneralSecurityException e) {
            throw new IOException("assembling the TLS stores in " + dir + " failed: " + e.getMessage(), e);
        }
        return new LocalTls(broker, trust, password);
    }

    private static KeyStore load(Path file, char[] pw) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(STORE_TYPE);
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, pw);
        }
        return ks;
    }

    private static void store(KeyStore ks, Path file, char[] pw) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, pw);
        }
    }

    /** Starts the JDK's keytool (a short-lived JVM, tuned to start fast) on PKCS12 stores with one password. */
    private static Process keytool(String password, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", STORE_TYPE, "-storepass", password, "-keypass", password));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        return p;
    }

    private static void await(Process p, String step) throws IOException, InterruptedException {
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool " + step + " failed: " + new String(out, StandardCharsets.UTF_8).trim());
        }
    }
}
